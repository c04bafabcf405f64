<?php
/**
 * Real-time logout and the idle warning, in the browser of a signed-in user.
 *
 * A page of a signed-in user (wp-admin and, unless filtered off, the front end) runs WordPress's
 * heartbeat plus `assets/live/live.js`. Heartbeat requests are not activity (Session_Guard), so polling
 * never keeps a session alive. Two things travel on them:
 *
 * - **Ended elsewhere.** When the session behind the browser's cookie was ended on another device, by an
 *   administrator, by a limit or by Session_Guard on this very request, the heartbeat arrives signed out.
 *   Core's `auth_cookie_bad_session_token` says the cookie was genuinely signed but its session is gone;
 *   our `session_ended` event says Session_Guard ended it now. Either way the reply carries
 *   `session_warden.ended` and the script sends every tab to wp-login.php, where Session_Guard's notice
 *   cookie explains why. Core's re-login modal is suppressed for that reply: the session did not time
 *   out, it was ended on purpose. A signed-out heartbeat without such a cookie (never signed in, cookie
 *   expired, signed out in this browser) is left to core.
 * - **Idle deadline.** With `idle_warning` set, the engine's `idle_deadline` says when idleness will end
 *   this session and when to warn; PHP passes it on and never computes it. The script shows one countdown
 *   dialog, shared by all tabs; "Stay signed in" is one ordinary admin-ajax request (activity, so
 *   Session_Guard records it) whose reply is the new deadline.
 *
 * Nothing secret reaches the browser: no token, no verifier, only times.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Live_Session {

	public const HANDLE = 'session-warden-live';

	/** admin-ajax action of the "Stay signed in" button (and its nonce action). */
	public const STAY_ACTION = 'session_warden_stay';

	/** Key of our part of heartbeat data and replies. */
	public const KEY = 'session_warden';

	/**
	 * What this request learnt about a session ended under the browser's cookie.
	 *
	 * @var array{user_id:int, verifier:string, reason:string}|null
	 */
	private static ?array $ended = null;

	/** Forgets this request's findings (tests). */
	public static function reset(): void {
		self::$ended = null;
	}

	/**
	 * `auth_cookie_bad_session_token`: core verified the cookie's signature, but its session no longer
	 * exists, so it was ended elsewhere (or by a sign-out in this browser that left a cookie behind).
	 *
	 * @param array $cookie_elements Parsed cookie: username, expiration, token, hmac, scheme.
	 */
	public static function bad_session_token( $cookie_elements ): void {
		if ( ! is_array( $cookie_elements ) || null !== self::$ended ) {
			return;
		}
		$user  = get_user_by( 'login', (string) ( $cookie_elements['username'] ?? '' ) );
		$token = (string) ( $cookie_elements['token'] ?? '' );
		if ( ! $user instanceof \WP_User || '' === $token ) {
			return;
		}
		self::$ended = array(
			'user_id'  => (int) $user->ID,
			'verifier' => ( new Session_Store() )->verifier_for_token( $token ),
			'reason'   => '', // Looked up only if a heartbeat asks (see ended_reason()).
		);
	}

	/**
	 * `session_warden_event_session_ended`: when Session_Guard ends the session of the cookie this request
	 * carries (idle, epoch, IP change…), remember why for the heartbeat reply.
	 *
	 * @param array $event The recorded event.
	 */
	public static function session_ended( $event ): void {
		if ( ! is_array( $event ) || '' === (string) ( $event['verifier'] ?? '' ) ) {
			return;
		}
		$cookie = wp_parse_auth_cookie( '', 'logged_in' );
		if ( ! is_array( $cookie ) || '' === (string) ( $cookie['token'] ?? '' ) ) {
			return;
		}
		if ( ! hash_equals( ( new Session_Store() )->verifier_for_token( (string) $cookie['token'] ), (string) $event['verifier'] ) ) {
			return;
		}
		self::$ended = array(
			'user_id'  => (int) ( $event['user_id'] ?? 0 ),
			'verifier' => (string) $event['verifier'],
			'reason'   => '' !== (string) ( $event['reason'] ?? '' ) ? (string) $event['reason'] : 'ended',
		);
	}

	/**
	 * `heartbeat_nopriv_received`: the browser was signed in (our data says so) and now is not.
	 *
	 * @param array $response Heartbeat reply so far.
	 * @param array $data     Data the page sent.
	 */
	public static function heartbeat_signed_out( $response, $data ) {
		if ( ! is_array( $response ) || ! is_array( $data ) || ! isset( $data[ self::KEY ] ) ) {
			return $response;
		}
		$ended                    = null !== self::$ended;
		$response[ self::KEY ] = array(
			'signed_in' => false,
			'ended'     => $ended,
		);
		if ( $ended ) {
			$reason = self::ended_reason();
			// Session_Guard already set the notice when it ended the session here; otherwise set it now, so
			// the login screen explains what happened.
			if ( ! headers_sent() && ! self::notice_cookie_sent() ) {
				setcookie( Session_Guard::NOTICE_COOKIE, $reason, 0, COOKIEPATH, COOKIE_DOMAIN, is_ssl(), true );
			}
			$back = is_array( $data[ self::KEY ] ) ? (string) ( $data[ self::KEY ]['url'] ?? '' ) : '';
			$response[ self::KEY ]['login_url'] = self::login_url( $back );
			// The login screen without a way back, which the script passes to its other tabs: each adds its
			// own address (pages no longer carry it, to spare every page view the URL's filters).
			$response[ self::KEY ]['login'] = wp_login_url();
		}
		return $response;
	}

	/**
	 * `heartbeat_nopriv_send` (late): no re-login modal for a session that was ended on purpose; the
	 * script is about to leave the page for the login screen.
	 *
	 * @param array $response Heartbeat reply.
	 */
	public static function suppress_auth_check( $response ) {
		if ( is_array( $response ) && ! empty( $response[ self::KEY ]['ended'] ) ) {
			unset( $response['wp-auth-check'] );
		}
		return $response;
	}

	/**
	 * `heartbeat_received`: still signed in; the idle deadline (when the warning is on) and a fresh nonce
	 * for "Stay signed in".
	 *
	 * @param array $response Heartbeat reply so far.
	 * @param array $data     Data the page sent.
	 */
	public static function heartbeat( $response, $data ) {
		if ( ! is_array( $response ) || ! is_array( $data ) || ! isset( $data[ self::KEY ] ) ) {
			return $response;
		}
		$deadline              = self::deadline();
		$response[ self::KEY ] = array(
			'signed_in' => true,
			'deadline'  => $deadline,
			'nonce'     => wp_create_nonce( self::STAY_ACTION ),
		);
		// A page loaded without a deadline has no dialog yet; it asks for one (`dialog`) until it has it.
		if ( null !== $deadline && is_array( $data[ self::KEY ] ) && ! empty( $data[ self::KEY ]['dialog'] ) ) {
			$response[ self::KEY ]['dialog'] = self::dialog();
		}
		return $response;
	}

	/**
	 * `wp_ajax_session_warden_stay`: the "Stay signed in" button. Session_Guard has already recorded this
	 * request as activity (it is neither the heartbeat nor our REST namespace); answer the moved deadline.
	 */
	public static function stay(): void {
		if ( ! check_ajax_referer( self::STAY_ACTION, '_ajax_nonce', false ) ) {
			wp_send_json_error( array( 'message' => __( 'This page has expired. Reload it to stay signed in.', 'session-warden' ) ), 403 );
		}
		wp_send_json_success(
			array(
				'deadline' => self::deadline(),
				'nonce'    => wp_create_nonce( self::STAY_ACTION ),
				'now'      => time(),
			)
		);
	}

	/** `admin_enqueue_scripts`. */
	public static function enqueue_admin(): void {
		self::enqueue();
	}

	/** `wp_enqueue_scripts`: the front end too, unless `session_warden_live_front` turns it off. */
	public static function enqueue_front(): void {
		if ( ! is_user_logged_in() ) {
			return;
		}
		/**
		 * Filters whether signed-in visitors of the front end get the real-time logout and idle warning
		 * (WordPress's heartbeat script, with jQuery, plus a small script).
		 *
		 * @param bool $load Default true.
		 */
		if ( ! apply_filters( 'session_warden_live_front', true ) ) {
			return;
		}
		self::enqueue();
	}

	/** The heartbeat, our script and style, and the page's starting deadline. */
	private static function enqueue(): void {
		if ( ! is_user_logged_in() || '' === wp_get_session_token() ) {
			return; // Not a cookie session (application password, …): nothing to watch.
		}
		$user = wp_get_current_user();
		if ( Login_Guard::bypassed( $user ) ) {
			return;
		}
		// The dialog's stylesheet is not enqueued: the script loads it (dialog()['css']) the first time it
		// shows the dialog, so the pages that never warn, nearly all, skip its tag (~60 k instructions).
		wp_enqueue_script( self::HANDLE, plugins_url( 'assets/live/live.js', PLUGIN_FILE ), array( 'heartbeat', 'wp-hooks' ), self::version( 'live.js' ), true );
		$deadline = self::deadline();
		$config   = array(
			'key'      => self::KEY,
			'userId'   => (int) $user->ID,
			'deadline' => $deadline,
		);
		// Without a deadline this page cannot warn, so the dialog's texts, URLs and nonce (a third of the
		// plugin's work on a page view) are left out; a heartbeat reply brings them when a deadline appears
		// (see heartbeat()), and a signed-out reply brings the login URL.
		if ( null !== $deadline ) {
			$config += self::dialog();
		}
		wp_add_inline_script( self::HANDLE, 'window.sessionWardenLive = ' . wp_json_encode( $config ) . ';', 'before' );
	}

	/**
	 * What the idle warning's dialog needs: its texts, its stylesheet, the "Stay signed in" request and the
	 * sign-out link.
	 *
	 * @return array{css:string, ajaxUrl:string, action:string, nonce:string, logoutUrl:string, text:array<string,string>}
	 */
	public static function dialog(): array {
		return array(
			'css'       => add_query_arg( 'ver', self::version( 'live.css' ), plugins_url( 'assets/live/live.css', PLUGIN_FILE ) ),
			'ajaxUrl'   => admin_url( 'admin-ajax.php', 'relative' ),
			'action'    => self::STAY_ACTION,
			'nonce'     => wp_create_nonce( self::STAY_ACTION ),
			'logoutUrl' => wp_logout_url(),
			'text'      => array(
				'title'     => __( 'Are you still there?', 'session-warden' ),
				/* translators: %s: time left, such as 1:59 (minutes:seconds). */
				'countdown' => __( 'You will be signed out in %s because of inactivity.', 'session-warden' ),
				'stay'      => __( 'Stay signed in', 'session-warden' ),
				'signOut'   => __( 'Sign out now', 'session-warden' ),
				'ending'    => __( 'Signing you out…', 'session-warden' ),
				'failed'    => __( 'Could not reach the site. Check your connection and try again.', 'session-warden' ),
			),
		);
	}

	/**
	 * When idleness will end the current session and when to warn, as the engine decides it; null when
	 * the warning is off, there is no session, or the engine cannot answer (then the page simply does
	 * not warn; the session is still ended on time by Session_Guard).
	 *
	 * @return array{ends:int, warn:int, now:int}|null Unix times (0 = never) and the server's clock.
	 */
	public static function deadline(): ?array {
		if ( (int) Settings::value( 'idle_warning' ) <= 0 ) {
			return null;
		}
		$token = wp_get_session_token();
		$user  = wp_get_current_user();
		if ( '' === $token || ! $user->exists() || Login_Guard::bypassed( $user ) ) {
			return null;
		}
		$store    = new Session_Store();
		$verifier = $store->verifier_for_token( $token );
		$record   = $store->get( (int) $user->ID, $verifier );
		if ( null === $record ) {
			return null;
		}
		$now = time();
		try {
			$answer = Engine::ask(
				'idle_deadline',
				array(
					'settings' => (object) Settings::current(),
					'user'     => Session_Record::user( $user ),
					'now'      => $now,
					'epoch'    => Settings::epoch(),
					'session'  => Session_Record::to_engine( $verifier, $record ),
				)
			);
		} catch ( Engine_Error $e ) {
			return null;
		}
		return array(
			'ends' => max( 0, (int) ( $answer['ends'] ?? 0 ) ),
			'warn' => max( 0, (int) ( $answer['warn'] ?? 0 ) ),
			'now'  => $now,
		);
	}

	/** Why the cookie's session ended: known when Session_Guard ended it here, else from the event log. */
	private static function ended_reason(): string {
		if ( null === self::$ended ) {
			return '';
		}
		if ( '' === self::$ended['reason'] ) {
			$reason = 'ended';
			$events = Events::query(
				array(
					'user_id' => self::$ended['user_id'],
					'type'    => Events::SESSION_ENDED,
					'limit'   => 50,
				)
			);
			foreach ( $events as $event ) {
				if ( $event['verifier'] === self::$ended['verifier'] && '' !== $event['reason'] ) {
					$reason = $event['reason'];
					break;
				}
			}
			self::$ended['reason'] = sanitize_key( $reason );
		}
		return self::$ended['reason'];
	}

	/**
	 * The login screen, coming back to the page the user was on when it is on this site.
	 *
	 * @param string $back URL of the page, as the browser reported it.
	 */
	private static function login_url( string $back ): string {
		$back = '' !== $back ? wp_validate_redirect( esc_url_raw( $back ), '' ) : '';
		return wp_login_url( $back );
	}

	/** Whether this response already sets the notice cookie (Session_Guard ended the session here). */
	private static function notice_cookie_sent(): bool {
		$prefix = 'set-cookie: ' . strtolower( Session_Guard::NOTICE_COOKIE ) . '=';
		foreach ( headers_list() as $header ) {
			if ( str_starts_with( strtolower( $header ), $prefix ) ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Asset version: the plugin version plus the file's modification time, so an edit is never served stale.
	 *
	 * @param string $file File name in assets/live/.
	 */
	private static function version( string $file ): string {
		$mtime = @filemtime( dirname( PLUGIN_FILE ) . '/assets/live/' . $file ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged -- a missing file only loses the cache buster.
		return VERSION . ( $mtime ? '.' . $mtime : '' );
	}
}
