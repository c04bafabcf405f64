<?php
/**
 * Enforcement on every authenticated request: idle timeout, IP binding, the site-wide logout epoch, and
 * the suspicious-activity flags.
 *
 * Runs on `determine_current_user` after core has validated the auth cookie (priorities 10 and 20), so
 * only a session core already accepted is looked at. The engine's `continue` verdict says until when,
 * for which request facts, epoch and settings version it holds; that is kept with the session, and while
 * it holds a page view costs no engine call and no write. Activity is recorded at most once per
 * `activity_interval`, and never for the heartbeat or the plugin's own polling.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Session_Guard {

	/** Cookie that carries the reason to the login screen after a session was ended. */
	public const NOTICE_COOKIE = 'session_warden_ended';

	/** @var array<int, int> user ID => the answer already given in this request */
	private static array $memo = array();

	/**
	 * @param int|false $user_id The user core authenticated, or false/0.
	 * @return int|false
	 */
	public static function check( $user_id ) {
		$user_id = (int) $user_id;
		if ( $user_id <= 0 ) {
			return $user_id ?: false;
		}
		if ( isset( self::$memo[ $user_id ] ) ) {
			return self::$memo[ $user_id ] ?: false;
		}
		$token = wp_get_session_token();
		if ( '' === $token ) {
			return $user_id; // Application password or another cookie-less scheme: no session to check.
		}
		$result                   = self::visit( $user_id, $token );
		self::$memo[ $user_id ] = $result;
		return $result ?: false;
	}

	/** Forgets this request's answers (tests and long-running CLI processes). */
	public static function reset(): void {
		self::$memo = array();
	}

	/**
	 * @param int    $user_id User ID.
	 * @param string $token   Session token from the cookie (never leaves this request).
	 * @return int The user ID to go on with, or 0 when the session ended or must not be used now.
	 */
	private static function visit( int $user_id, string $token ): int {
		$store    = new Session_Store();
		$verifier = $store->verifier_for_token( $token );
		$sessions = $store->all( $user_id );
		$record   = $sessions[ $verifier ] ?? null;
		if ( null === $record ) {
			return $user_id; // Core did not find it either; its own check has the last word.
		}

		$ours        = Session_Record::ours( $record );
		$kept        = is_array( $ours['kept'] ?? null ) ? $ours['kept'] : array();
		$facts       = Request_Facts::current();
		$fingerprint = Request_Facts::fingerprint( $facts );
		$is_activity = self::is_activity();
		$epoch       = Settings::epoch();
		$version     = Settings::version();
		if ( $kept
			&& time() < (int) ( $kept['until'] ?? 0 )
			&& ( $kept['fp'] ?? '' ) === $fingerprint
			&& (int) ( $kept['epoch'] ?? -1 ) === $epoch
			&& (int) ( $kept['version'] ?? -1 ) === $version
			// Multisite: the session is network-wide but roles and settings are per site, so a verdict
			// kept on one site says nothing about another (0 on single sites, as before this key existed).
			&& (int) ( $kept['site'] ?? 0 ) === ( is_multisite() ? get_current_blog_id() : 0 )
			&& ( ! $is_activity || ! empty( $kept['activity'] ) ) ) {
			return $user_id;
		}

		$user = get_userdata( $user_id );
		if ( ! $user instanceof \WP_User || Login_Guard::bypassed( $user ) ) {
			return $user_id;
		}
		$now = time();
		try {
			$facts  = Request_Facts::with_country( $facts );
			$others = array();
			foreach ( $sessions as $v => $r ) {
				if ( $v !== $verifier ) {
					$others[] = Session_Record::to_engine( (string) $v, $r );
				}
			}
			$answer = Engine::ask(
				'visit',
				array(
					'settings'    => (object) Settings::current(),
					'user'        => Session_Record::user( $user ),
					'now'         => $now,
					'facts'       => $facts,
					'epoch'       => $epoch,
					'is_activity' => $is_activity,
					'session'     => Session_Record::to_engine( $verifier, $record ),
					'others'      => $others,
				)
			);
			if ( ! is_array( $answer['verdict'] ?? null ) || ! isset( $answer['verdict']['action'] ) ) {
				throw new Engine_Error( 'the engine answered "visit" without a verdict', 'bad_reply' );
			}
		} catch ( Engine_Error $e ) {
			// Fail open keeps the visitor signed in; fail closed refuses this request but keeps the session,
			// so nothing is lost when the engine is back.
			return Settings::fails_closed( $user ) ? 0 : $user_id;
		}

		/**
		 * Filters a request verdict before it is applied.
		 *
		 * @param array    $verdict  `{"action":"continue","record_activity":…,"new_flags":[…],"valid":{…}}` or
		 *                           `{"action":"end","reason":…}`.
		 * @param \WP_User $user     User.
		 * @param string   $verifier Session verifier.
		 */
		$verdict = apply_filters( 'session_warden_request_verdict', $answer['verdict'], $user, $verifier );
		$verdict = is_array( $verdict ) && isset( $verdict['action'] ) ? $verdict : $answer['verdict'];

		if ( 'end' === $verdict['action'] ) {
			self::end( $user_id, $verifier, $record, (string) ( $verdict['reason'] ?? 'ended' ) );
			return 0;
		}

		$update = array(
			'kept' => array(
				'until'    => (int) ( $verdict['valid']['until'] ?? 0 ),
				'fp'       => $fingerprint,
				'epoch'    => (int) ( $verdict['valid']['epoch'] ?? $epoch ),
				'version'  => (int) ( $verdict['valid']['settings_version'] ?? $version ),
				'activity' => $is_activity,
			),
		);
		if ( is_multisite() ) {
			$update['kept']['site'] = get_current_blog_id(); // See the check above.
		}
		if ( ! empty( $verdict['record_activity'] ) ) {
			$update['last_activity'] = $now;
		}
		$new_flags = array_values( array_filter( (array) ( $verdict['new_flags'] ?? array() ), 'is_string' ) );
		$alive     = self::write( $user_id, $verifier, $update, $new_flags );
		foreach ( $new_flags as $flag ) {
			Events::record(
				'flag_raised',
				$user_id,
				array(
					'reason'   => $flag,
					'verifier' => $verifier,
					'ip'       => (string) ( $answer['client']['ip'] ?? '' ),
					'country'  => (string) ( $facts['country'] ?? '' ),
					'device'   => (string) ( $ours['device']['label'] ?? '' ),
				)
			);
		}
		return $alive ? $user_id : 0;
	}

	/**
	 * Merges the update into the session's record under the user's lock, re-reading it first so nothing a
	 * parallel request wrote is lost. A lock timeout skips the write: the verdict still applies, and the
	 * next request will ask again.
	 *
	 * @param int      $user_id   User ID.
	 * @param string   $verifier  Session.
	 * @param array    $update    Keys to set in the plugin's part of the record.
	 * @param string[] $new_flags Flags to add.
	 * @return bool False when the session was ended meanwhile.
	 */
	private static function write( int $user_id, string $verifier, array $update, array $new_flags ): bool {
		$store  = new Session_Store();
		$result = ( new User_Lock() )->with_lock(
			$user_id,
			static function () use ( $store, $user_id, $verifier, $update, $new_flags ): bool {
				$record = $store->get( $user_id, $verifier );
				if ( null === $record ) {
					return false;
				}
				$ours          = array_merge( Session_Record::ours( $record ), $update );
				$ours['flags'] = array_values( array_unique( array_merge( (array) ( $ours['flags'] ?? array() ), $new_flags ) ) );
				$record[ Session_Record::KEY ] = $ours;
				$store->update( $user_id, $verifier, $record );
				return true;
			}
		);
		return is_wp_error( $result ) ? true : (bool) $result;
	}

	/**
	 * Ends the session, records why, and tells the login screen.
	 *
	 * @param int    $user_id  User ID.
	 * @param string $verifier Session.
	 * @param array  $record   Its record.
	 * @param string $reason   Engine reason.
	 */
	private static function end( int $user_id, string $verifier, array $record, string $reason ): void {
		$store = new Session_Store();
		$gone  = ( new User_Lock() )->with_lock( $user_id, static fn () => $store->destroy( $user_id, $verifier ) );
		if ( true === $gone ) {
			Events::session_ended( $user_id, $verifier, $record, $reason );
		}
		if ( ! headers_sent() ) {
			wp_clear_auth_cookie();
			setcookie( self::NOTICE_COOKIE, $reason, 0, COOKIEPATH, COOKIE_DOMAIN, is_ssl(), true );
		}
	}

	/**
	 * Whether this request is the user doing something (as opposed to a background poll).
	 */
	private static function is_activity(): bool {
		$action     = isset( $_REQUEST['action'] ) ? sanitize_key( wp_unslash( $_REQUEST['action'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification.Recommended
		$uri        = isset( $_SERVER['REQUEST_URI'] ) ? (string) wp_unslash( $_SERVER['REQUEST_URI'] ) : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized
		$rest_route = isset( $_GET['rest_route'] ) ? (string) wp_unslash( $_GET['rest_route'] ) : ''; // phpcs:ignore WordPress.Security.NonceVerification.Recommended, WordPress.Security.ValidatedSanitizedInput.InputNotSanitized
		$polling    = ( wp_doing_ajax() && 'heartbeat' === $action )
			|| str_contains( $uri, '/wp-json/session-warden/v1/' )
			|| str_starts_with( $rest_route, '/session-warden/v1/' );
		/**
		 * Filters whether the current request counts as the user's activity (for idle timeouts).
		 *
		 * @param bool $is_activity Default: everything except the heartbeat and Session Warden's own REST polling.
		 */
		return (bool) apply_filters( 'session_warden_is_activity', ! $polling );
	}

	/**
	 * Explains on the login screen why the previous session ended.
	 *
	 * @param string $message Login screen message HTML.
	 */
	public static function login_message( $message ) {
		if ( empty( $_COOKIE[ self::NOTICE_COOKIE ] ) ) {
			return $message;
		}
		$reason = sanitize_key( wp_unslash( $_COOKIE[ self::NOTICE_COOKIE ] ) );
		if ( ! headers_sent() ) {
			setcookie( self::NOTICE_COOKIE, '', time() - YEAR_IN_SECONDS, COOKIEPATH, COOKIE_DOMAIN, is_ssl(), true );
		}
		return $message . '<p class="message" id="session-warden-ended">' . esc_html( Messages::ended( $reason ) ) . '</p>';
	}
}
