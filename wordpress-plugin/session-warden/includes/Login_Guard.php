<?php
/**
 * Enforcement when a session is about to begin.
 *
 * WordPress's order (wp_signon): `wp_authenticate_user` runs before the password is checked, then the
 * password, then the rest of `authenticate`, then wp_set_auth_cookie(), which builds the session
 * (`attach_session_information`), stores it, and fires the cookie actions. So:
 *   1. gate()   — `wp_authenticate_user`: only the IP rules, with one message for every account, so a
 *                 stranger learns nothing about the account. Skipped when the engine's settings plan
 *                 says no rule has IP conditions.
 *   2. admit()  — `authenticate`, late: the password is verified; the engine's limit verdict. Block and
 *                 redirect end the sign-in here, with a clean WP_Error (or a redirect).
 *   3. attach() — `attach_session_information`: the allowed verdict is applied (sessions the engine
 *                 listed are ended) and the client facts are recorded with the new session. A session
 *                 created without a password (second factor, SSO, passkey, magic link) gets its verdict
 *                 here; a refusal then stops the cookies and removes the session.
 *   4. written() — `set_logged_in_cookie`: the session exists; the per-user lock taken in step 2 or 3
 *                 is released, so a parallel sign-in sees this session before deciding.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Login_Guard {

	/**
	 * The decision for the sign-in in progress in this request.
	 *
	 * @var array{user_id:int, user:?\WP_User, answer:?array, facts:array, refused:?\WP_Error, applied:bool}|null
	 */
	private static ?array $pending = null;

	/** Whether this request's auth cookies must not be sent (a password-less session was refused). */
	private static bool $suppress_cookies = false;

	/**
	 * The client the engine resolved in this request's `gate` answer, from the same request facts and
	 * settings the sign-in's country lookup starts from, so that lookup does not ask for it again.
	 */
	private static ?array $gate_client = null;

	/**
	 * Before the password is checked: the IP rules.
	 *
	 * @param \WP_User|\WP_Error $user     User found by login name or email.
	 * @param string             $password Password (unused; never sent anywhere).
	 * @return \WP_User|\WP_Error
	 */
	public static function gate( $user, $password = '' ) {
		if ( ! $user instanceof \WP_User ) {
			return $user;
		}
		if ( self::creates_session( $password ) ) {
			self::prime_options();
		}
		if ( self::bypassed( $user ) || empty( Settings::plan()['gate'] ) ) {
			self::prepare_admit( $password );
			return $user;
		}
		$facts = Request_Facts::current();
		try {
			$answer = Engine::ask(
				'gate',
				array(
					'settings' => (object) Settings::current(),
					'user'     => Session_Record::user( $user ),
					'facts'    => $facts,
				)
			);
		} catch ( Engine_Error $e ) {
			return self::engine_failed( $user, $e ) ?? $user;
		}
		self::$gate_client = is_array( $answer['client'] ?? null ) ? $answer['client'] : null;
		$verdict           = self::filter_verdict( (array) ( $answer['verdict'] ?? array() ), $user, 'gate' );
		if ( 'allow' === ( $verdict['action'] ?? '' ) ) {
			self::prepare_admit( $password );
			return $user;
		}
		$reason = (string) ( $verdict['reason'] ?? '' );
		Events::record(
			'login_blocked',
			(int) $user->ID,
			array(
				'reason' => $reason,
				'ip'     => (string) ( $answer['client']['ip'] ?? '' ),
				'data'   => array( 'stage' => 'gate' ),
			)
		);
		// The same key for every account and every IP reason: see the docblock.
		return new \WP_Error( 'session_warden_ip_blocked', esc_html( Messages::block( 'ip_blocked', $reason ) ) );
	}

	/**
	 * After the password is verified: the limits.
	 *
	 * @param \WP_User|\WP_Error|null $user     Result so far.
	 * @param string                  $username Login name.
	 * @param string                  $password Password as typed.
	 * @return \WP_User|\WP_Error|null
	 */
	public static function admit( $user, $username = '', $password = '' ) {
		// Only a password sign-in that will create a session: XML-RPC and application-password REST calls
		// authenticate on every request without one, and a cookie re-authentication has no password.
		if ( ! $user instanceof \WP_User || ! self::creates_session( $password ) ) {
			return $user;
		}
		$decided = self::decide( $user );
		if ( null === $decided ) {
			return $user;
		}
		if ( is_wp_error( $decided ) ) {
			return $decided;
		}
		$verdict = $decided['verdict'];
		if ( 'allow' === $verdict['action'] ) {
			return $user; // Applied in attach(), when the session is created.
		}

		self::refused( $user, $verdict, 'password' );
		if ( 'redirect' === $verdict['action'] && '' !== (string) ( $verdict['url'] ?? '' ) && self::is_login_screen() ) {
			self::release();
			// The URL was checked by the engine when the settings were saved (a site path or an https address).
			wp_redirect( (string) $verdict['url'] ); // phpcs:ignore WordPress.Security.SafeRedirect.wp_redirect_wp_redirect
			exit;
		}
		self::release();
		return self::refusal_error( $user, $verdict );
	}

	/**
	 * Whether a password sign-in creates a session, so admit() asks the engine: not XML-RPC or
	 * application-password REST calls (they authenticate on every request without one), nor a cookie
	 * re-authentication (no password).
	 *
	 * @param string $password Password as typed (only compared with '').
	 */
	private static function creates_session( $password ): bool {
		return '' !== (string) $password
			&& ! ( defined( 'XMLRPC_REQUEST' ) && XMLRPC_REQUEST )
			&& ! ( defined( 'REST_REQUEST' ) && REST_REQUEST )
			&& ! did_action( 'application_password_did_authenticate' );
	}

	/**
	 * Plugin boot, when wp-login.php received a sign-in form (Plugin checks that `log` and `pwd` were posted):
	 * prepares admit() while WordPress is still loading (about 6 ms before the password is checked).
	 */
	public static function posted(): void {
		// phpcs:disable WordPress.Security.NonceVerification -- the sign-in form has no nonce; nothing is changed here.
		if ( ! self::is_login_screen() || 'POST' !== ( $_SERVER['REQUEST_METHOD'] ?? '' )
			|| ( isset( $_REQUEST['action'] ) && 'login' !== $_REQUEST['action'] )
			|| ! is_string( $_POST['log'] ?? null ) || '' === trim( $_POST['log'] ) || ! is_string( $_POST['pwd'] ?? null ) ) { // phpcs:ignore WordPress.Security.ValidatedSanitizedInput
			return;
		}
		self::prepare_admit( $_POST['pwd'] ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput -- only compared with ''.
		// phpcs:enable
	}

	/**
	 * Before the password is checked, for a sign-in admit() will decide: with one-shot engine processes,
	 * starts the process for its question now, so the process start-up and artifact load (about 3 ms)
	 * overlap WordPress's own work (loading, the password check) instead of following it. A sign-in that
	 * never asks (unknown user, wrong password) leaves the process unasked; it is killed at shutdown.
	 * Nothing about the password reaches it.
	 *
	 * @param string $password Password as typed (only compared with '').
	 */
	private static function prepare_admit( $password ): void {
		if ( ! self::creates_session( $password ) ) {
			return;
		}
		self::prime_options();
		try {
			Engine::prime();
		} catch ( \Throwable $e ) {
			// Only a head start: admit() asks (and meets any failure) as it always does.
			unset( $e );
		}
	}

	/**
	 * The session is being built: apply the allowed verdict and record the client facts with it.
	 *
	 * @param array      $info    Extra session fields so far.
	 * @param int|string $user_id User ID.
	 */
	public static function attach( $info, $user_id ): array {
		$info    = is_array( $info ) ? $info : array();
		$user_id = (int) $user_id;
		// The sign-in decided in this request already has the user (a WP_User costs its capabilities to build).
		$user = self::$pending['user'] ?? null;
		$user = $user instanceof \WP_User && (int) $user->ID === $user_id ? $user : get_userdata( $user_id );
		if ( ! $user instanceof \WP_User || self::bypassed( $user ) ) {
			return $info;
		}
		if ( null === self::$pending || self::$pending['user_id'] !== $user_id ) {
			// No password step in this request: 2FA completion, SSO, passkey, magic link, password change.
			$decided = self::decide( $user );
			if ( is_wp_error( $decided ) ) {
				self::$pending            = self::fresh( $user_id );
				self::$pending['refused'] = $decided;
				return $info;
			}
			if ( null !== $decided && 'allow' !== $decided['verdict']['action'] ) {
				self::refused( $user, $decided['verdict'], 'session' );
				self::$pending['refused'] = self::refusal_error( $user, $decided['verdict'] );
				return $info;
			}
		}
		if ( null === self::$pending || self::$pending['applied'] ) {
			return $info;
		}
		self::$pending['applied'] = true;

		$answer = self::$pending['answer'];
		$now    = time();
		if ( null === $answer ) {
			// Engine unavailable and the policy is to fail open: record what is known without a verdict.
			$info[ Session_Record::KEY ] = array( 'last_activity' => $now );
			return $info;
		}

		$verdict = $answer['verdict'];
		$store   = new Session_Store();
		$ended   = array();
		foreach ( (array) ( $verdict['destroy'] ?? array() ) as $verifier ) {
			$ended[ (string) $verifier ] = (string) ( $verdict['reason'] ?? 'limit' );
		}
		foreach ( (array) ( $verdict['expired'] ?? array() ) as $verifier ) {
			$ended[ (string) $verifier ] ??= 'expired';
		}
		if ( $ended ) {
			$before = $store->all( $user_id );
			$store->destroy_many( $user_id, array_keys( $ended ) );
			foreach ( $ended as $verifier => $reason ) {
				if ( isset( $before[ $verifier ] ) ) {
					Events::session_ended( $user_id, $verifier, $before[ $verifier ], $reason );
				}
			}
		}

		$info[ Session_Record::KEY ] = array(
			'ip'            => (string) ( $answer['client']['ip'] ?? '' ),
			'country'       => (string) ( self::$pending['facts']['country'] ?? '' ),
			'device'        => is_array( $answer['device'] ?? null ) ? $answer['device'] : array(),
			'last_activity' => $now,
			'flags'         => array(),
		);
		return $info;
	}

	/**
	 * The session is stored and the cookies are about to go out.
	 *
	 * @param string $cookie     Cookie value.
	 * @param int    $expire     Cookie expiry.
	 * @param int    $expiration Session expiry.
	 * @param int    $user_id    User ID.
	 * @param string $scheme     Cookie scheme.
	 * @param string $token      Session token.
	 */
	public static function written( $cookie, $expire, $expiration, $user_id, $scheme = 'logged_in', $token = '' ): void {
		$user_id = (int) $user_id;
		$pending = self::$pending;
		if ( null === $pending || $pending['user_id'] !== $user_id ) {
			return;
		}
		$store    = new Session_Store();
		$verifier = '' !== (string) $token ? $store->verifier_for_token( (string) $token ) : '';
		if ( $pending['refused'] instanceof \WP_Error ) {
			// A password-less session the rules refuse: it must not outlive this request, and no cookie goes out.
			if ( '' !== $verifier ) {
				$store->destroy( $user_id, $verifier );
			}
			self::$suppress_cookies = true;
		} elseif ( '' !== $verifier && $pending['applied'] ) {
			Events::record(
				'session_created',
				$user_id,
				array(
					'verifier' => $verifier,
					'ip'       => (string) ( $pending['answer']['client']['ip'] ?? '' ),
					'country'  => (string) ( $pending['facts']['country'] ?? '' ),
					'device'   => (string) ( $pending['answer']['device']['label'] ?? '' ),
				)
			);
		}
		self::release();
	}

	/**
	 * @param bool $send Whether WordPress sends the auth cookies.
	 */
	public static function send_cookies( $send ) {
		return self::$suppress_cookies ? false : $send;
	}

	/**
	 * Records failed sign-ins other than the plugin's own refusals (those are recorded as login_blocked).
	 *
	 * @param string         $username Login name as typed.
	 * @param \WP_Error|null $error    Why it failed (WordPress 5.4+).
	 */
	public static function failed( $username, $error = null ): void {
		if ( $error instanceof \WP_Error && str_starts_with( (string) $error->get_error_code(), 'session_warden_' ) ) {
			return;
		}
		$user = get_user_by( 'login', (string) $username ) ?: get_user_by( 'email', (string) $username );
		$facts = Request_Facts::current();
		Events::record(
			'login_failed',
			$user instanceof \WP_User ? (int) $user->ID : 0,
			array(
				'reason' => $error instanceof \WP_Error ? (string) $error->get_error_code() : '',
				'ip'     => $facts['remote_addr'],
				'data'   => array( 'username' => substr( (string) $username, 0, 60 ) ),
			)
		);
	}

	/** Releases the lock of a sign-in that stopped half way (also runs on shutdown). */
	public static function release(): void {
		if ( null !== self::$pending ) {
			( new User_Lock() )->let_go( self::$pending['user_id'] );
			if ( ! self::$pending['refused'] instanceof \WP_Error ) {
				self::$pending = null;
			}
		}
	}

	/**
	 * Takes the user's lock and asks the engine for the login verdict; the lock stays held until the
	 * session is written, so parallel sign-ins are decided one after another.
	 *
	 * The question goes out before the lock is taken, on the session list this request read while the
	 * password was checked, so the engine answers while the lock is taken and the list read again under it
	 * (about 0.25 ms of a sign-in). That answer is used only when the list read under the lock is the same:
	 * then the question was exactly the one asked under the lock. Otherwise (a parallel sign-in changed the
	 * list meanwhile) it is dropped and the engine is asked again.
	 *
	 * @param \WP_User $user User.
	 * @return array|\WP_Error|null The engine's answer (verdict filtered); a WP_Error to refuse; null to go
	 *                              on without a verdict (engine unavailable, failing open).
	 */
	private static function decide( \WP_User $user ) {
		self::prime_options();
		$user_id = (int) $user->ID;
		$lock    = new User_Lock();
		$store   = new Session_Store();
		$now     = time();
		// A password change re-issues the changer's own session on old WordPress versions: the old one
		// is being replaced, so it must not count against the new one. Only Password_Watch's own hook
		// in this request notes one, and it loaded the class: no class, nothing replaced (a sign-in does
		// not load Password_Watch.php for nothing).
		$replaced = class_exists( Password_Watch::class, false ) ? Password_Watch::replaced_session( $user_id ) : null;
		$facts    = null;
		$guess    = null;
		$pending  = null;
		if ( null === $replaced && ! $lock->holds( $user_id ) ) {
			try {
				$facts   = Request_Facts::with_country( Request_Facts::current(), self::$gate_client );
				$guess   = Session_Record::all_to_engine( $store->all( $user_id ) );
				$pending = Engine::send( 'admit', self::admit_args( $user, $now, $facts, $guess ) );
			} catch ( Engine_Error $e ) {
				unset( $e ); // Met again under the lock, and handled there.
			}
		}

		$held = $lock->hold( $user_id );
		if ( is_wp_error( $held ) ) {
			$pending?->drop();
			return $held;
		}
		self::$pending = self::fresh( $user_id, $user );
		// A sign-in that stops half way (an exit in another plugin's hook) must not keep the lock.
		add_action( 'shutdown', array( self::class, 'release' ) );

		try {
			if ( null !== $replaced ) {
				$store->destroy( $user_id, $replaced );
			}
			$facts  ??= Request_Facts::with_country( Request_Facts::current(), self::$gate_client );
			$sessions = Session_Record::all_to_engine( $store->all( $user_id ) );
			if ( null !== $pending && $sessions === $guess ) {
				$answer = Engine::answer( $pending, 'admit', self::admit_args( $user, $now, $facts, $sessions ) );
			} else {
				$pending?->drop();
				// The lock may have been waited for: the time is taken again.
				$answer = Engine::ask( 'admit', self::admit_args( $user, time(), $facts, $sessions ) );
			}
		} catch ( Engine_Error $e ) {
			$lock->let_go( $user_id );
			$refusal = self::engine_failed( $user, $e );
			if ( $refusal instanceof \WP_Error ) {
				self::$pending = null;
				return $refusal;
			}
			return null; // pending stays, without an answer: attach() records the session without facts.
		}

		if ( ! is_array( $answer ) || ! is_array( $answer['verdict'] ?? null ) || ! isset( $answer['verdict']['action'] ) ) {
			$lock->let_go( $user_id );
			self::$pending = null;
			return self::engine_failed( $user, new Engine_Error( 'the engine answered "admit" without a verdict', 'bad_reply' ) ) ?? null;
		}
		$answer['verdict']         = self::filter_verdict( $answer['verdict'], $user, 'admit' );
		self::$pending['answer'] = $answer;
		self::$pending['facts']  = $facts;
		return $answer;
	}

	/**
	 * The `admit` question.
	 *
	 * @param \WP_User $user     User.
	 * @param int      $now      Time of the sign-in.
	 * @param array    $facts    Request facts (with the country).
	 * @param array    $sessions The user's sessions, as the engine takes them.
	 */
	private static function admit_args( \WP_User $user, int $now, array $facts, array $sessions ): array {
		return array(
			'settings' => (object) Settings::current(),
			'user'     => Session_Record::user( $user ),
			'now'      => $now,
			'facts'    => $facts,
			'sessions' => $sessions,
		);
	}

	/**
	 * A sign-in reads small options that may not be autoloaded: the pinned engine mode and the uploaded
	 * country database (both when the engine client is built), the site-wide logout epoch (when the
	 * sessions index writes the new row), and the settings and their plan, which are absent on a site that
	 * never saved settings (the engine's defaults apply). Absent ones, the usual case for the first two,
	 * are not cached across requests without a persistent object cache, so each would be its own query:
	 * one query for all of them instead (wp_prime_option_caches(), WordPress 6.4+, which skips autoloaded
	 * ones). On multisite they are network options, read elsewhere.
	 *
	 * The engine mode and the uploaded database, absent on most sites, are then stored once, empty and
	 * autoloaded (Settings::site_option()): empty means what no option means (automatic selection; no
	 * upload), and every later sign-in finds them among the autoloaded options, so the prime has nothing
	 * left to load on a site with saved settings (login POST with the daemon: one query fewer; before
	 * WordPress 6.4, which has no prime, two). Choosing "automatic" on the engine panel or removing the
	 * upload deletes the option again; the next sign-in stores it again.
	 */
	private static function prime_options(): void {
		if ( is_multisite() ) {
			return;
		}
		if ( function_exists( 'wp_prime_option_caches' ) ) {
			wp_prime_option_caches( array( Engine_Client::MODE_OPTION, Geo_Upload::OPTION, Settings::EPOCH_OPTION, Settings::OPTION, Settings::PLAN_OPTION ) );
		}
		foreach ( array( Engine_Client::MODE_OPTION, Geo_Upload::OPTION ) as $option ) {
			// Primed above (or, before WordPress 6.4, read once and noted as missing): no further query.
			Settings::site_option( $option, '' );
		}
	}

	/**
	 * @param int $user_id User ID.
	 */
	private static function fresh( int $user_id, ?\WP_User $user = null ): array {
		return array(
			'user_id' => $user_id,
			'user'    => $user,
			'answer'  => null,
			'facts'   => array(),
			'refused' => null,
			'applied' => false,
		);
	}

	/**
	 * The failure policy: sign-ins go on (fail open) unless the user has a role the site owner chose to
	 * fail closed. Either way the failure is recorded and the admin notice shows it.
	 *
	 * @param \WP_User     $user User.
	 * @param Engine_Error $e    Failure.
	 * @return \WP_Error|null A refusal, or null to go on.
	 */
	private static function engine_failed( \WP_User $user, Engine_Error $e ): ?\WP_Error {
		$closed = Settings::fails_closed( $user );
		Events::record(
			'engine_failed',
			(int) $user->ID,
			array(
				'reason' => $closed ? 'fail_closed' : 'fail_open',
				'data'   => array(
					'code'    => $e->error_code,
					'message' => $e->getMessage(),
				),
			)
		);
		if ( ! $closed ) {
			return null;
		}
		return new \WP_Error( 'session_warden_unavailable', esc_html( Messages::block( 'unavailable', 'engine_unavailable', $user ) ) );
	}

	/**
	 * @param \WP_User $user    User.
	 * @param array    $verdict block or redirect verdict.
	 * @param string   $stage   password | session.
	 */
	private static function refused( \WP_User $user, array $verdict, string $stage ): void {
		$facts = self::$pending['facts'] ?? array();
		Events::record(
			'login_blocked',
			(int) $user->ID,
			array(
				'reason' => (string) ( $verdict['reason'] ?? '' ),
				'ip'     => (string) ( self::$pending['answer']['client']['ip'] ?? '' ),
				'country' => (string) ( $facts['country'] ?? '' ),
				'device' => (string) ( self::$pending['answer']['device']['label'] ?? '' ),
				'data'   => array(
					'stage'  => $stage,
					'action' => (string) ( $verdict['action'] ?? '' ),
				),
			)
		);
	}

	/**
	 * @param \WP_User $user    User.
	 * @param array    $verdict block or redirect verdict.
	 */
	private static function refusal_error( \WP_User $user, array $verdict ): \WP_Error {
		$reason = (string) ( $verdict['reason'] ?? '' );
		$key    = (string) ( $verdict['message_key'] ?? 'limit_reached' );
		return new \WP_Error(
			'session_warden_' . ( '' !== $reason ? $reason : 'refused' ),
			esc_html( Messages::block( $key, $reason, $user ) ),
			array(
				'reason' => $reason,
				'action' => (string) ( $verdict['action'] ?? '' ),
			)
		);
	}

	/**
	 * @param array    $verdict Engine verdict.
	 * @param \WP_User $user    User.
	 * @param string   $stage   gate | admit.
	 */
	private static function filter_verdict( array $verdict, \WP_User $user, string $stage ): array {
		/**
		 * Filters a sign-in verdict before it is applied.
		 *
		 * @param array    $verdict `{"action":"allow","destroy":[…],"expired":[…],"reason":…}`, or
		 *                          `{"action":"block","reason":…,"message_key":…}`, or
		 *                          `{"action":"redirect","reason":…,"url":…}`.
		 * @param \WP_User $user    User signing in.
		 * @param string   $stage   `gate` (before the password) or `admit` (after it, or a password-less session).
		 */
		$filtered = apply_filters( 'session_warden_login_verdict', $verdict, $user, $stage );
		return is_array( $filtered ) && isset( $filtered['action'] ) ? $filtered : $verdict;
	}

	/**
	 * @param \WP_User $user User.
	 */
	public static function bypassed( \WP_User $user ): bool {
		/**
		 * Filters whether Session Warden leaves this user alone entirely (no limits, no checks, no records).
		 * Settings can exempt users and roles too; this is for code, e.g. a service account.
		 *
		 * @param bool     $bypass Default false.
		 * @param \WP_User $user   User.
		 */
		return (bool) apply_filters( 'session_warden_bypass', false, $user );
	}

	private static function is_login_screen(): bool {
		return isset( $GLOBALS['pagenow'] ) && 'wp-login.php' === $GLOBALS['pagenow'];
	}
}
