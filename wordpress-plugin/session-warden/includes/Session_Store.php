<?php
/**
 * The one place that reads and writes a user's sessions by verifier.
 *
 * WordPress's public session API (`WP_Session_Tokens::get()`, `destroy()`, …) takes the raw token,
 * which only the browser holding the cookie knows; `get_all()` even drops the verifiers. Everything the
 * plugin does to *other* sessions (list, evict the oldest, stamp activity) therefore needs the protected
 * verifier-level methods. They are reached here, and only here, by reflection, exactly as WP-CLI's
 * `wp user session` does, so a site whose `session_token_manager` filter swaps in its own backend
 * (Redis, a custom table, …) keeps working. There is deliberately no SQL on `session_tokens`: raw
 * queries bypass both custom backends and the object cache.
 *
 * Read-modify-write is not atomic in any backend (core rewrites the whole array on each write): callers
 * that decide and then write must hold User_Lock around both steps.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

/**
 * Stateless adapter over `WP_Session_Tokens::get_instance( $user_id )`.
 *
 * Invalid arguments throw \InvalidArgumentException; a session manager that cannot be driven throws
 * \UnexpectedValueException. Both carry messages meant for a log or an admin notice.
 */
final class Session_Store {

	/**
	 * Every session the backend returns for the user, keyed by verifier.
	 *
	 * Core's default backend already leaves out expired sessions; a custom backend may not, so callers
	 * must not assume every entry is live.
	 *
	 * @param int $user_id User ID.
	 * @return array<string, array> Verifier => session record (`expiration`, `ip`, `ua`, `login`, plugin keys…).
	 * @throws \InvalidArgumentException For a bad user ID.
	 * @throws \UnexpectedValueException When the session manager cannot be read.
	 */
	public function all( int $user_id ): array {
		$manager  = $this->manager( $user_id );
		$sessions = $this->call( $manager, 'get_sessions' );
		if ( ! is_array( $sessions ) ) {
			throw new \UnexpectedValueException(
				sprintf( 'The session manager %s returned %s instead of an array of sessions.', get_class( $manager ), get_debug_type( $sessions ) )
			);
		}

		$out = array();
		foreach ( $sessions as $verifier => $session ) {
			// Pre-4.0 records were a bare expiration timestamp; core's own prepare_session() upgrades them
			// the same way, so a backend that skips that step still yields uniform records.
			if ( is_int( $session ) || ( is_string( $session ) && ctype_digit( $session ) ) ) {
				$session = array( 'expiration' => (int) $session );
			}
			if ( is_array( $session ) ) {
				$out[ (string) $verifier ] = $session;
			}
		}
		return $out;
	}

	/**
	 * One session by verifier.
	 *
	 * @param int    $user_id  User ID.
	 * @param string $verifier Session verifier (hash of the token).
	 * @return array|null The session record, or null if the backend has no such session.
	 */
	public function get( int $user_id, string $verifier ): ?array {
		$verifier = $this->verifier( $verifier );
		return $this->all( $user_id )[ $verifier ] ?? null;
	}

	/**
	 * Replaces one existing session's record, leaving every other session as the backend has it now.
	 *
	 * The session list is re-read at write time (core's update_session() does the same internally), so
	 * sessions created or ended since the caller's own read are neither lost nor resurrected. A verifier
	 * that is gone is an error rather than an insert: writing it back would revive a session that another
	 * request (logout, eviction) has just ended.
	 *
	 * @param int    $user_id  User ID.
	 * @param string $verifier Session verifier.
	 * @param array  $session  Full session record; must keep an integer `expiration`.
	 * @throws \InvalidArgumentException For bad arguments or a session that no longer exists.
	 */
	public function update( int $user_id, string $verifier, array $session ): void {
		$verifier = $this->verifier( $verifier );
		if ( ! isset( $session['expiration'] ) || ! is_int( $session['expiration'] ) ) {
			// Core treats a record without an integer expiration as expired and drops it on the next write.
			throw new \InvalidArgumentException( 'A session record needs an integer "expiration" (Unix time).' );
		}
		$manager = $this->manager( $user_id );
		if ( ! array_key_exists( $verifier, $this->all( $user_id ) ) ) {
			throw new \InvalidArgumentException( sprintf( 'User %d has no session %s to update; it may have ended meanwhile.', $user_id, $verifier ) );
		}
		$this->call( $manager, 'update_session', $verifier, $session );
		/**
		 * Fires after Session Warden rewrote one session's record (Session_Index keeps its row in step).
		 *
		 * @param int    $user_id  Owner.
		 * @param string $verifier Session verifier (server side only; never send it to a browser).
		 * @param array  $session  The record as written.
		 */
		do_action( 'session_warden_session_written', $user_id, $verifier, $session );
	}

	/**
	 * Ends one session by verifier.
	 *
	 * @param int    $user_id  User ID.
	 * @param string $verifier Session verifier.
	 * @return bool True if the session existed and was removed, false if it was already gone.
	 */
	public function destroy( int $user_id, string $verifier ): bool {
		$verifier = $this->verifier( $verifier );
		$manager  = $this->manager( $user_id );
		if ( ! array_key_exists( $verifier, $this->all( $user_id ) ) ) {
			return false;
		}
		// update_session( $verifier, null ) is how core itself destroys (WP_Session_Tokens::destroy()).
		$this->call( $manager, 'update_session', $verifier, null );
		self::destroyed( $user_id, array( $verifier ) );
		return true;
	}

	/**
	 * Ends several sessions of one user.
	 *
	 * Every verifier is validated before anything is written, so a typo cannot leave the list half done.
	 *
	 * @param int      $user_id   User ID.
	 * @param string[] $verifiers Session verifiers (duplicates are ignored).
	 * @return int How many of them existed and were removed.
	 */
	public function destroy_many( int $user_id, array $verifiers ): int {
		$this->check_user( $user_id );
		$wanted = array();
		foreach ( $verifiers as $verifier ) {
			if ( ! is_string( $verifier ) ) {
				throw new \InvalidArgumentException( 'Session verifiers must be strings, got ' . get_debug_type( $verifier ) . '.' );
			}
			$wanted[ $this->verifier( $verifier ) ] = true;
		}
		if ( ! $wanted ) {
			return 0;
		}

		$manager  = $this->manager( $user_id );
		$existing = $this->all( $user_id );
		$count    = 0;
		$gone     = array();
		foreach ( array_keys( $wanted ) as $verifier ) {
			if ( array_key_exists( $verifier, $existing ) ) {
				// One write per verifier: the protected API has no batch call, and going through it keeps
				// custom backends (and their caches) in charge of their own storage.
				$this->call( $manager, 'update_session', $verifier, null );
				++$count;
				$gone[] = $verifier;
			}
		}
		if ( $gone ) {
			self::destroyed( $user_id, $gone );
		}
		return $count;
	}

	/**
	 * Announces ended sessions.
	 *
	 * @param int      $user_id   Owner.
	 * @param string[] $verifiers Sessions the store has just removed.
	 */
	private static function destroyed( int $user_id, array $verifiers ): void {
		/**
		 * Fires after Session Warden ended sessions of one user (Session_Index drops their rows).
		 *
		 * @param int      $user_id   Owner.
		 * @param string[] $verifiers Session verifiers (server side only; never send them to a browser).
		 */
		do_action( 'session_warden_sessions_destroyed', $user_id, $verifiers );
	}

	/**
	 * One page of the IDs of users who have a `session_tokens` row, across the whole network: those after
	 * a user ID, lowest first. This is where core's default backend keeps sessions; a custom
	 * `session_token_manager` backend that stores elsewhere has no list of its users to offer, so its users
	 * are not found here. Paging by the last ID seen, not by an offset, keeps each page as cheap however far
	 * a walk over 50 000 users has got, and a user whose last session ends during the walk (the sweep ends
	 * sessions as it goes) cannot make it skip anyone.
	 *
	 * @param int $after_id Only users with a higher ID.
	 * @param int $limit    Page size.
	 * @return int[]
	 */
	public function users_with_sessions_after( int $after_id, int $limit ): array {
		$after_id = max( 0, $after_id );
		$where    = static function ( \WP_User_Query $query ) use ( $after_id ): void {
			global $wpdb;
			$query->query_where .= $wpdb->prepare( " AND {$wpdb->users}.ID > %d", $after_id );
		};
		add_action( 'pre_user_query', $where );
		try {
			$ids = get_users(
				array(
					'blog_id'     => 0,
					'meta_key'    => 'session_tokens', // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_key
					'fields'      => 'ID',
					'orderby'     => 'ID',
					'order'       => 'ASC',
					'number'      => max( 1, $limit ),
					'count_total' => false,
				)
			);
		} finally {
			remove_action( 'pre_user_query', $where );
		}
		return array_map( 'intval', $ids );
	}

	/**
	 * The verifier WordPress stores for a raw token (mirrors the private WP_Session_Tokens::hash_token()).
	 *
	 * @param string $token Raw session token from the auth cookie.
	 * @return string Lower-case hex verifier.
	 */
	public function verifier_for_token( string $token ): string {
		if ( '' === $token ) {
			throw new \InvalidArgumentException( 'An empty session token has no verifier.' );
		}
		// Same fallback as core: ext/hash is always present since PHP 7.4, but core still checks.
		return function_exists( 'hash' ) ? hash( 'sha256', $token ) : sha1( $token );
	}

	/**
	 * Normalises and validates a verifier: 64 hex characters (sha256) or 40 (sha1 fallback).
	 *
	 * @param string $verifier Candidate verifier.
	 * @return string Lower-case verifier (core's hashes are lower case, so that is how keys are stored).
	 * @throws \InvalidArgumentException When it cannot be a verifier.
	 */
	public function verifier( string $verifier ): string {
		$normal = strtolower( trim( $verifier ) );
		if ( ! preg_match( '/^(?:[0-9a-f]{64}|[0-9a-f]{40})$/', $normal ) ) {
			throw new \InvalidArgumentException(
				sprintf( 'Not a session verifier: "%s" (expected 64 hex characters, or 40 on servers without sha256).', substr( $verifier, 0, 80 ) )
			);
		}
		return $normal;
	}

	/**
	 * @param int $user_id User ID.
	 * @throws \InvalidArgumentException Unless it names an existing user.
	 */
	private function check_user( int $user_id ): void {
		if ( $user_id <= 0 ) {
			throw new \InvalidArgumentException( sprintf( 'Not a user ID: %d.', $user_id ) );
		}
		// The user's row only (from the users cache, or one query): get_userdata() would build a WP_User,
		// and with it load the user's capabilities, on every read and write of their sessions.
		if ( ! \WP_User::get_data_by( 'id', $user_id ) ) {
			throw new \InvalidArgumentException( sprintf( 'There is no user with ID %d.', $user_id ) );
		}
	}

	/**
	 * The site's session manager for this user; built per call so a `session_token_manager` filter
	 * added at any point is honoured.
	 *
	 * @param int $user_id User ID.
	 */
	private function manager( int $user_id ): \WP_Session_Tokens {
		$this->check_user( $user_id );
		$manager = \WP_Session_Tokens::get_instance( $user_id );
		if ( ! $manager instanceof \WP_Session_Tokens ) {
			throw new \UnexpectedValueException( 'The session_token_manager filter did not produce a WP_Session_Tokens object.' );
		}
		return $manager;
	}

	/**
	 * Calls a protected method of the session manager, as WP-CLI's User_Session_Command does.
	 *
	 * @param \WP_Session_Tokens $manager Session manager.
	 * @param string             $method  `get_sessions` or `update_session`.
	 * @param mixed              ...$args Arguments.
	 * @return mixed
	 */
	private function call( \WP_Session_Tokens $manager, string $method, ...$args ) {
		try {
			$reflection = new \ReflectionMethod( $manager, $method );
		} catch ( \ReflectionException $e ) {
			throw new \UnexpectedValueException( sprintf( 'The session manager %s has no %s() method.', get_class( $manager ), $method ), 0, $e );
		}
		// PHP 8.1+ (the plugin's minimum) allows invoking non-public methods without setAccessible().
		return $reflection->invoke( $manager, ...$args );
	}
}
