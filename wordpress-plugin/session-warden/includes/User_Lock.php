<?php
/**
 * A per-user mutex around "decide, then write sessions".
 *
 * Core rewrites a user's whole session list on every write with no locking, so two parallel logins can
 * both see N-1 sessions under a limit of N and both get in, or one can overwrite the other's new session.
 * A MariaDB/MySQL named lock (GET_LOCK) serialises those steps per user. It lives in the database server,
 * so it holds across PHP processes and across several web servers sharing one database, needs no table
 * or file, and the server frees it by itself if the PHP process dies mid-request.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

/**
 * Usage: `$result = ( new User_Lock() )->with_lock( $user_id, fn () => … );` then check
 * `is_wp_error( $result )`.
 */
final class User_Lock {

	/** Default wait for the lock, in seconds: long enough for a peer login to finish, short enough not to hang a login form. */
	public const DEFAULT_TIMEOUT = 3.0;

	/** Upper bound for the filtered timeout: a web request must not block for long on another one. */
	public const MAX_TIMEOUT = 30.0;

	/**
	 * Locks this PHP process already holds, name => depth. GET_LOCK is re-entrant on MariaDB but not on
	 * MySQL before 5.7, so nesting is handled here and the server sees one GET_LOCK/RELEASE_LOCK pair.
	 *
	 * @var array<string, int>
	 */
	private static array $held = array();

	/**
	 * Runs $fn while holding the user's lock, and always releases it (also when $fn throws).
	 *
	 * The lock belongs to the current database connection: if wpdb reconnects inside $fn, the server has
	 * already dropped it, so keep $fn to the decide-and-write step.
	 *
	 * @param int      $user_id User ID.
	 * @param callable $fn      Receives the user ID; its return value is passed through.
	 * @return mixed|\WP_Error $fn's result, or a WP_Error (`session_warden_lock_timeout` when another request
	 *                         held the lock for the whole wait, `session_warden_lock_failed` on a database error).
	 */
	public function with_lock( int $user_id, callable $fn ) {
		if ( $user_id <= 0 ) {
			throw new \InvalidArgumentException( sprintf( 'Not a user ID: %d.', $user_id ) );
		}
		$name = self::name( $user_id );

		if ( isset( self::$held[ $name ] ) ) {
			++self::$held[ $name ];
			try {
				return $fn( $user_id );
			} finally {
				--self::$held[ $name ];
			}
		}

		$timeout = $this->timeout( $user_id );
		$got     = $this->acquire( $name, $timeout );
		if ( true !== $got ) {
			return $got;
		}
		self::$held[ $name ] = 1;
		self::forget_cached_meta( $user_id );
		try {
			return $fn( $user_id );
		} finally {
			unset( self::$held[ $name ] );
			$this->release( $name );
		}
	}

	/**
	 * Takes the user's lock and keeps it until let_go() (or the end of the request, when the database
	 * connection closes). For a decision and a write that happen in different hooks: a login is decided in
	 * `authenticate` but its session is written later, inside wp_set_auth_cookie().
	 *
	 * @param int $user_id User ID.
	 * @return true|\WP_Error
	 */
	public function hold( int $user_id ) {
		$name = self::name( $user_id );
		if ( isset( self::$held[ $name ] ) ) {
			++self::$held[ $name ];
			return true;
		}
		$got = $this->acquire( $name, $this->timeout( $user_id ) );
		if ( true === $got ) {
			self::$held[ $name ] = 1;
			self::forget_cached_meta( $user_id );
		}
		return $got;
	}

	/**
	 * Gives back one hold() (a no-op when this request does not hold the lock).
	 *
	 * @param int $user_id User ID.
	 */
	public function let_go( int $user_id ): void {
		$name = self::name( $user_id );
		if ( ! isset( self::$held[ $name ] ) ) {
			return;
		}
		if ( --self::$held[ $name ] > 0 ) {
			return;
		}
		unset( self::$held[ $name ] );
		$this->release( $name );
	}

	/**
	 * Whatever this request read of the user's meta before it had the lock may be stale: WordPress loads all
	 * of a user's meta at once (roles alone do it), so the session list in the in-process cache can predate a
	 * parallel login that has just finished. Dropping the entry makes the next read go to the database (a
	 * persistent object cache only loses one key, which the read puts back).
	 *
	 * @param int $user_id User ID.
	 */
	private static function forget_cached_meta( int $user_id ): void {
		wp_cache_delete( $user_id, 'user_meta' );
	}

	/** Whether this request holds the user's lock. */
	public function holds( int $user_id ): bool {
		return isset( self::$held[ self::name( $user_id ) ] );
	}

	/**
	 * The lock name for a user on this site.
	 *
	 * It includes the database name and the *base* table prefix: two sites on one database server must
	 * not block each other, while every web server of one site (same database, same prefix) must share
	 * the lock. The base prefix, not the per-blog one, because on multisite a user's sessions are one
	 * network-wide usermeta row whatever site the login happens on. Hashed because MySQL caps lock names
	 * at 64 characters and database names or prefixes can be long.
	 *
	 * @param int $user_id User ID.
	 */
	public static function name( int $user_id ): string {
		global $wpdb;
		$db = isset( $wpdb->dbname ) && '' !== (string) $wpdb->dbname ? (string) $wpdb->dbname : ( defined( 'DB_NAME' ) ? DB_NAME : '' );
		return self::name_for( $db, (string) $wpdb->base_prefix, $user_id );
	}

	/**
	 * @param string $db_name      Database name.
	 * @param string $table_prefix Base table prefix.
	 * @param int    $user_id      User ID.
	 * @return string At most 64 characters, e.g. `session_warden:3f2a…:42`.
	 */
	public static function name_for( string $db_name, string $table_prefix, int $user_id ): string {
		return 'session_warden:' . substr( md5( $db_name . "\0" . $table_prefix ), 0, 20 ) . ':' . $user_id;
	}

	/**
	 * Seconds to wait, from the `session_warden_lock_timeout` filter, clamped to [0, MAX_TIMEOUT].
	 *
	 * @param int $user_id User ID.
	 */
	private function timeout( int $user_id ): float {
		/**
		 * Filters how long a request waits for another request's hold on the same user's sessions.
		 *
		 * @param float $timeout Seconds (fractions allowed). Default 3.
		 * @param int   $user_id User whose sessions are being changed.
		 */
		$timeout = (float) apply_filters( 'session_warden_lock_timeout', self::DEFAULT_TIMEOUT, $user_id );
		if ( ! is_finite( $timeout ) || $timeout < 0 ) {
			return 0.0;
		}
		return min( $timeout, self::MAX_TIMEOUT );
	}

	/**
	 * @param string $name    Lock name.
	 * @param float  $timeout Seconds.
	 * @return true|\WP_Error
	 */
	private function acquire( string $name, float $timeout ) {
		global $wpdb;
		// GET_LOCK: 1 = acquired, 0 = timed out, NULL = error (e.g. killed). MariaDB takes fractional seconds.
		// Written out rather than prepared: wpdb::prepare() parses its format with several regular
		// expressions, which costs more PHP than the rest of the query, on every sign-in.
		$result = $wpdb->get_var( "SELECT GET_LOCK('" . esc_sql( $name ) . "', " . sprintf( '%F', $timeout ) . ')' ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- escaped above; the timeout is a formatted float.
		if ( '1' === (string) $result ) {
			return true;
		}
		if ( '0' === (string) $result ) {
			return new \WP_Error(
				'session_warden_lock_timeout',
				__( 'Another sign-in or sign-out for this account is still being processed. Please wait a moment and try again.', 'session-warden' ),
				array(
					'lock'    => $name,
					'timeout' => $timeout,
				)
			);
		}
		return new \WP_Error(
			'session_warden_lock_failed',
			__( 'The site could not reserve this account’s sessions because of a database problem. Please try again.', 'session-warden' ),
			array(
				'lock'     => $name,
				'db_error' => (string) $wpdb->last_error,
			)
		);
	}

	/**
	 * @param string $name Lock name.
	 */
	private function release( string $name ): void {
		global $wpdb;
		$wpdb->query( "SELECT RELEASE_LOCK('" . esc_sql( $name ) . "')" ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- escaped, as in acquire().
	}
}
