<?php
/**
 * E-mails to a user about their own sessions, when the site owner turned them on (`notifications` in
 * the settings, both off by default):
 *
 * - `limit_ended`: one of their sessions was ended by a limit (a `session_ended` event whose reason is a
 *   `limit_*` reason or `max_ips`), usually because they signed in somewhere else;
 * - `flagged`: one of their sessions was flagged (`flag_raised`: its network address changed, or the
 *   account was used from two countries at once).
 *
 * It listens to the events Events::record() announces and decides nothing about policy: the engine chose
 * the reason, the settings say whether to tell. Mail goes out once, at the end of the request, one
 * message per user and kind, so a sign-in that ended three old sessions sends one e-mail listing three.
 * `session_warden_email` may change or suppress every message.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Notifications {

	public const LIMIT_ENDED = 'limit_ended';
	public const FLAGGED     = 'flagged';

	/**
	 * Events waiting for the end of the request: user ID => kind => events.
	 *
	 * @var array<int, array<string, array[]>>
	 */
	private static array $queue = array();

	private static bool $scheduled = false;

	/**
	 * `session_warden_event_session_ended`.
	 *
	 * @param array $event The event as recorded.
	 */
	public static function session_ended( $event ): void {
		self::event( Events::SESSION_ENDED, $event );
	}

	/**
	 * `session_warden_event_flag_raised`.
	 *
	 * @param array $event The event as recorded.
	 */
	public static function flag_raised( $event ): void {
		self::event( Events::FLAG_RAISED, $event );
	}

	/**
	 * Queues the events a user should hear about.
	 *
	 * @param string $type  Event type.
	 * @param array  $event The event as recorded.
	 */
	public static function event( $type, $event ): void {
		if ( ! is_array( $event ) || (int) ( $event['user_id'] ?? 0 ) <= 0 ) {
			return;
		}
		$kind = self::kind( (string) $type, (string) ( $event['reason'] ?? '' ) );
		if ( null === $kind || ! self::enabled( $kind ) ) {
			return;
		}
		self::$queue[ (int) $event['user_id'] ][ $kind ][] = $event;
		if ( ! self::$scheduled ) {
			self::$scheduled = true;
			// After the request's work (a sign-in, a redirect), so a slow mail server delays nothing the
			// user waits for before it, and all of one request's events make one message.
			add_action( 'shutdown', array( self::class, 'flush' ), 1 );
		}
	}

	/**
	 * Which e-mail an event calls for, or null.
	 *
	 * @param string $type   Event type.
	 * @param string $reason Event reason.
	 */
	public static function kind( string $type, string $reason ): ?string {
		if ( Events::SESSION_ENDED === $type && ( str_starts_with( $reason, 'limit_' ) || 'max_ips' === $reason ) ) {
			return self::LIMIT_ENDED;
		}
		if ( Events::FLAG_RAISED === $type ) {
			return self::FLAGGED;
		}
		return null;
	}

	/**
	 * Whether the site owner turned this e-mail on.
	 *
	 * @param string $kind limit_ended | flagged.
	 */
	public static function enabled( string $kind ): bool {
		$switches = Settings::value( 'notifications' );
		return is_array( $switches ) && true === ( $switches[ $kind ] ?? false );
	}

	/** Sends the queued messages (on `shutdown`, or directly in tests). */
	public static function flush(): void {
		$queue           = self::$queue;
		self::$queue     = array();
		self::$scheduled = false;
		foreach ( $queue as $user_id => $kinds ) {
			foreach ( $kinds as $kind => $events ) {
				try {
					self::send( (int) $user_id, (string) $kind, $events );
				} catch ( \Throwable $e ) {
					// A broken mailer or filter must not break the request that triggered the e-mail.
					error_log( 'Session Warden: a notification e-mail could not be sent: ' . $e->getMessage() ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
				}
			}
		}
	}

	/**
	 * Writes and sends one message.
	 *
	 * @param int     $user_id User to tell.
	 * @param string  $kind    limit_ended | flagged.
	 * @param array[] $events  The events, oldest first.
	 * @return bool Whether wp_mail() accepted it (false when suppressed).
	 */
	public static function send( int $user_id, string $kind, array $events ): bool {
		$user = get_userdata( $user_id );
		if ( ! $user instanceof \WP_User || ! is_email( $user->user_email ) || ! $events ) {
			return false;
		}
		$switched = self::switch_locale( $user );
		try {
			$email = self::compose( $user, $kind, $events );
		} finally {
			if ( $switched ) {
				restore_previous_locale();
			}
		}
		/**
		 * Filters a session e-mail before it is sent; return false (or an empty `to`) to send nothing.
		 *
		 * @param array|false $email  `to`, `subject`, `message` (plain text), `headers` (array), as for wp_mail().
		 * @param string      $kind   limit_ended | flagged.
		 * @param array[]     $events The events the message is about.
		 * @param \WP_User    $user   The user it goes to.
		 */
		$email = apply_filters( 'session_warden_email', $email, $kind, $events, $user );
		if ( ! is_array( $email ) || empty( $email['to'] ) ) {
			return false;
		}
		return (bool) wp_mail(
			$email['to'],
			(string) ( $email['subject'] ?? '' ),
			(string) ( $email['message'] ?? '' ),
			$email['headers'] ?? array()
		);
	}

	/**
	 * The message, in the user's language.
	 *
	 * @param \WP_User $user   Recipient.
	 * @param string   $kind   limit_ended | flagged.
	 * @param array[]  $events Events.
	 * @return array{to:string, subject:string, message:string, headers:array}
	 */
	private static function compose( \WP_User $user, string $kind, array $events ): array {
		// The blog name is stored with HTML entities; this is a plain-text message.
		$site = wp_specialchars_decode( get_option( 'blogname' ), ENT_QUOTES );
		$n    = count( $events );
		if ( self::LIMIT_ENDED === $kind ) {
			$subject = sprintf(
				/* translators: %s: site name. */
				_n( '[%s] One of your sessions was signed out', '[%s] Some of your sessions were signed out', $n, 'session-warden' ),
				$site
			);
			$intro = _n(
				'A session of your account was signed out because your account reached its limit of sessions, usually because you signed in on another device:',
				'Sessions of your account were signed out because your account reached its limit of sessions, usually because you signed in on another device:',
				$n,
				'session-warden'
			);
			$advice = __( 'If that was you, there is nothing to do. If you did not sign in recently, change your password now.', 'session-warden' );
		} else {
			$subject = sprintf(
				/* translators: %s: site name. */
				__( '[%s] Unusual activity on your account', 'session-warden' ),
				$site
			);
			$intro  = _n(
				'We noticed something unusual about a session of your account:',
				'We noticed something unusual about sessions of your account:',
				$n,
				'session-warden'
			);
			$advice = __( 'If that was you (for example you changed networks or are travelling), there is nothing to do. Otherwise sign out the sessions you do not recognise and change your password.', 'session-warden' );
		}

		$lines = array(
			/* translators: %s: the user's display name. */
			sprintf( __( 'Hello %s,', 'session-warden' ), $user->display_name ),
			'',
			$intro,
			'',
		);
		foreach ( $events as $event ) {
			$lines = array_merge( $lines, self::describe( $event ), array( '' ) );
		}
		$lines[] = $advice;
		$lines[] = '';
		/* translators: %s: URL of the user's profile, where their sessions are listed. */
		$lines[] = sprintf( __( 'Review your sessions: %s', 'session-warden' ), self::sessions_url( $user ) );
		$lines[] = '';
		/* translators: 1: site name, 2: site URL. */
		$lines[] = sprintf( __( '— %1$s (%2$s)', 'session-warden' ), $site, home_url( '/' ) );

		return array(
			'to'      => $user->user_email,
			'subject' => $subject,
			'message' => implode( "\n", $lines ),
			'headers' => array(),
		);
	}

	/**
	 * The lines about one event: what happened, device, address, country, time.
	 *
	 * @param array $event Event.
	 * @return string[]
	 */
	private static function describe( array $event ): array {
		$reason = (string) ( $event['reason'] ?? '' );
		$out    = array( '* ' . self::reason_text( (string) ( $event['type'] ?? '' ), $reason ) );
		$device = '' !== (string) ( $event['device'] ?? '' ) ? (string) $event['device'] : __( 'Unknown device', 'session-warden' );
		/* translators: %s: device, such as "Chrome 131 on Windows". */
		$out[] = '  ' . sprintf( __( 'Device: %s', 'session-warden' ), $device );
		if ( '' !== (string) ( $event['ip'] ?? '' ) ) {
			/* translators: %s: IP address. */
			$out[] = '  ' . sprintf( __( 'IP address: %s', 'session-warden' ), $event['ip'] );
		}
		if ( '' !== (string) ( $event['country'] ?? '' ) ) {
			/* translators: %s: country, such as "Germany (DE)" or "DE". */
			$out[] = '  ' . sprintf( __( 'Country: %s', 'session-warden' ), self::country_name( (string) $event['country'] ) );
		}
		$time = (int) ( $event['created_at'] ?? 0 );
		if ( $time > 0 ) {
			$format = get_option( 'date_format' ) . ' ' . get_option( 'time_format' );
			/* translators: %s: date and time in the site's time zone. */
			$out[] = '  ' . sprintf( __( 'Time: %s', 'session-warden' ), wp_date( $format, $time ) . ' (' . wp_timezone_string() . ')' );
		}
		return $out;
	}

	/**
	 * What happened, in words.
	 *
	 * @param string $type   Event type.
	 * @param string $reason Event reason.
	 */
	private static function reason_text( string $type, string $reason ): string {
		if ( Events::FLAG_RAISED === $type ) {
			switch ( $reason ) {
				case 'ip_shift':
					return __( 'A session changed its network (IP) address while it was in use.', 'session-warden' );
				case 'country_anomaly':
					return __( 'Your account was in use from more than one country at the same time.', 'session-warden' );
				default:
					return __( 'A session was flagged as unusual.', 'session-warden' );
			}
		}
		switch ( $reason ) {
			case 'limit_ip':
				return __( 'Signed out: too many sessions from one network address.', 'session-warden' );
			case 'limit_country':
				return __( 'Signed out: too many sessions from one country.', 'session-warden' );
			case 'limit_device_class':
			case 'limit_device_type':
				return __( 'Signed out: too many sessions on this kind of device.', 'session-warden' );
			case 'limit_client_type':
			case 'limit_browser':
				return __( 'Signed out: too many sessions in this kind of browser or app.', 'session-warden' );
			case 'limit_os':
				return __( 'Signed out: too many sessions on this operating system.', 'session-warden' );
			case 'max_ips':
				return __( 'Signed out: your account was in use from too many network addresses.', 'session-warden' );
			default:
				return __( 'Signed out: your account has too many sessions at once.', 'session-warden' );
		}
	}

	/**
	 * The user's sessions on their profile screen (the section Profile_Sessions renders).
	 *
	 * @param \WP_User $user User.
	 */
	private static function sessions_url( \WP_User $user ): string {
		// The anchor is Profile_Sessions::ANCHOR, written out so sending mail never loads the profile code.
		return get_edit_profile_url( (int) $user->ID ) . '#sw-your-sessions';
	}

	/**
	 * A country for people: its name when PHP's intl extension knows it, and always the code.
	 *
	 * @param string $code ISO 3166-1 alpha-2.
	 */
	private static function country_name( string $code ): string {
		if ( class_exists( \Locale::class ) ) {
			$name = \Locale::getDisplayRegion( '-' . $code, determine_locale() );
			if ( is_string( $name ) && '' !== $name && $name !== $code ) {
				return $name . ' (' . $code . ')';
			}
		}
		return $code;
	}

	/**
	 * Switches to the recipient's language; whether it switched.
	 *
	 * @param \WP_User $user User.
	 */
	private static function switch_locale( \WP_User $user ): bool {
		if ( function_exists( 'switch_to_user_locale' ) ) { // WordPress 6.2+.
			return switch_to_user_locale( (int) $user->ID );
		}
		return switch_to_locale( get_user_locale( $user ) );
	}

	/** Drops queued messages without sending (tests). */
	public static function reset(): void {
		self::$queue     = array();
		self::$scheduled = false;
		remove_action( 'shutdown', array( self::class, 'flush' ), 1 );
	}
}
