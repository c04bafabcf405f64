<?php
/**
 * The site owner's settings document, as the engine normalised it when it was saved.
 *
 * Settings are never interpreted here: save() hands the raw document to the engine, which checks every
 * field and returns the normalised form (or every field error); decisions later receive that stored form
 * back as data. Reading a few plain switches (retention, fail-closed roles, password-change logout) is
 * the only use PHP makes of them, because those apply when the engine cannot be asked.
 *
 * On multisite the network's document applies to every site unless a site saved its own. Versions are
 * then unique across the whole network (see save()), because sessions are network-wide.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Settings {

	public const OPTION       = 'session_warden_settings';
	public const PLAN_OPTION  = 'session_warden_plan';
	public const EPOCH_OPTION = 'session_warden_epoch';

	/** Multisite: the last settings version handed out anywhere on the network (a site option). */
	public const SERIAL_OPTION = 'session_warden_settings_serial';

	/**
	 * current()'s answer in this request: the site it was read on and the document.
	 *
	 * @var array{0:int, 1:array}|null
	 */
	private static ?array $current = null;

	/**
	 * Settings version 0 with nothing set: the engine's defaults (no limits).
	 *
	 * A signed-in page view reads the document three times (Request_Facts, Session_Guard's version, the idle
	 * warning), and each get_option() unserializes it again (~34 k instructions each, callgrind), so it is
	 * read once per request and site; any write of it through the option API (site or network) forgets it.
	 */
	public static function current(): array {
		$blog = get_current_blog_id();
		if ( null !== self::$current && $blog === self::$current[0] ) {
			return self::$current[1];
		}
		$site = get_option( self::OPTION );
		if ( is_array( $site ) ) {
			$document = $site;
		} else {
			$network  = is_multisite() ? get_site_option( self::OPTION ) : false;
			$document = is_array( $network ) ? $network : array();
		}
		if ( null === self::$current ) {
			foreach ( array( 'add_option_', 'update_option_', 'delete_option_', 'add_site_option_', 'update_site_option_', 'delete_site_option_' ) as $action ) {
				add_action( $action . self::OPTION, array( self::class, 'forget' ) );
			}
		}
		self::$current = array( $blog, $document );
		return $document;
	}

	/** Forgets the document current() read (its option was written; tests). */
	public static function forget(): void {
		self::$current = null;
	}

	/** Where current() came from: 'site', 'network' or 'defaults'. */
	public static function source(): string {
		if ( is_array( get_option( self::OPTION ) ) ) {
			return 'site';
		}
		return is_multisite() && is_array( get_site_option( self::OPTION ) ) ? 'network' : 'defaults';
	}

	/**
	 * What the engine worked out about the current settings when they were saved (see `settings-plan` in
	 * the WIT). Without a stored plan every step is taken: asking too often is safe, skipping is not.
	 */
	public static function plan(): array {
		$plan = is_array( get_option( self::OPTION ) ) || ! is_multisite()
			? get_option( self::PLAN_OPTION )
			: get_site_option( self::PLAN_OPTION );
		return is_array( $plan ) ? $plan + array( 'gate' => true ) : array( 'gate' => true );
	}

	public static function version(): int {
		return (int) ( self::current()['version'] ?? 0 );
	}

	/**
	 * One of the plain switches, with the engine's default when the stored document predates it.
	 *
	 * @param string $key password_change_logout | retention_days | fail_closed_roles | activity_interval.
	 * @return mixed
	 */
	public static function value( string $key ) {
		$defaults = array(
			'password_change_logout' => true,
			'retention_days'         => 90,
			'fail_closed_roles'      => array(),
			'activity_interval'      => 60,
		);
		return self::current()[ $key ] ?? ( $defaults[ $key ] ?? null );
	}

	/**
	 * Whether the user has a role the site owner chose to refuse while the engine cannot answer (the
	 * failure policy; every other user fails open).
	 *
	 * @param \WP_User $user User.
	 */
	public static function fails_closed( \WP_User $user ): bool {
		return (bool) array_intersect( (array) $user->roles, (array) self::value( 'fail_closed_roles' ) );
	}

	/**
	 * Checks and stores a settings document. Nothing is stored unless the engine accepts all of it, so a
	 * bad field never half-applies; the version is bumped so every kept request verdict is asked again.
	 *
	 * @param array  $raw   Settings document (as decoded from a form or JSON body).
	 * @param string $scope 'site' or 'network' (multisite only).
	 * @return array|\WP_Error The stored, normalised settings; or `session_warden_invalid_settings` with
	 *                        the field errors in its data, or `session_warden_engine` when the engine failed.
	 */
	public static function save( array $raw, string $scope = 'site' ) {
		$network = 'network' === $scope && is_multisite();
		$before  = $network ? get_site_option( self::OPTION ) : get_option( self::OPTION );
		$version = (int) ( is_array( $before ) ? ( $before['version'] ?? 0 ) : self::version() );
		if ( is_multisite() ) {
			// A session is network-wide and keeps the settings version its last request verdict was decided
			// under (Session_Guard). Per-document counters would repeat across documents (network v2 and a
			// site's own v2, or a site's v3 that is removed and later reached again by the network's), and a
			// kept verdict would then outlive a real change. One network-wide counter makes every version
			// name one document.
			$version = max( $version, (int) get_site_option( self::SERIAL_OPTION, 0 ) );
		}
		$raw['version'] = $version + 1;

		try {
			$reply = Engine::ask( 'validate_settings', array( 'settings' => (object) $raw ) );
			if ( empty( $reply['valid'] ) ) {
				$errors = is_array( $reply['errors'] ?? null ) ? $reply['errors'] : array();
				$lines  = array_map( static fn ( $e ) => trim( ( $e['field'] ?? '' ) . ': ' . ( $e['message'] ?? '' ), ': ' ), $errors );
				return new \WP_Error(
					'session_warden_invalid_settings',
					/* translators: %s: list of problems. */
					sprintf( __( 'The settings were not saved: %s', 'session-warden' ), implode( '; ', $lines ) ),
					array(
						'status' => 400,
						'errors' => $errors,
					)
				);
			}
			$settings = (array) $reply['settings'];
			$plan     = (array) Engine::ask( 'settings_plan', array( 'settings' => (object) $settings ) );
		} catch ( Engine_Error $e ) {
			return new \WP_Error(
				'session_warden_engine',
				/* translators: %s: engine error. */
				sprintf( __( 'The settings were not saved because the Session Warden engine could not check them: %s', 'session-warden' ), $e->getMessage() ),
				array( 'status' => 503 )
			);
		}

		if ( $network ) {
			update_site_option( self::OPTION, $settings );
			update_site_option( self::PLAN_OPTION, $plan );
		} else {
			update_option( self::OPTION, $settings, true );
			update_option( self::PLAN_OPTION, $plan, true );
		}
		if ( is_multisite() ) {
			update_site_option( self::SERIAL_OPTION, max( (int) ( $settings['version'] ?? 0 ), $raw['version'] ) );
		}
		return $settings;
	}

	/** Drops this site's own settings so the network's (or the defaults) apply again. */
	public static function reset( string $scope = 'site' ): void {
		if ( 'network' === $scope && is_multisite() ) {
			delete_site_option( self::OPTION );
			delete_site_option( self::PLAN_OPTION );
			return;
		}
		delete_option( self::OPTION );
		delete_option( self::PLAN_OPTION );
	}

	/**
	 * The logout epoch: sessions that began before it end on their next request. Network-wide, because
	 * sessions are.
	 */
	public static function epoch(): int {
		// Every signed-in request reads the epoch (Session_Guard compares it with the kept verdict).
		return (int) self::network_option( self::EPOCH_OPTION, '0' );
	}

	/**
	 * A network-wide option read on many page views (the logout epoch, the engine status, the daemon
	 * marker), or false when it does not exist. On a single site get_site_option() is get_option() behind
	 * three more filters (~9 k instructions a read, callgrind), so site_option() reads it there; a missing one
	 * is then stored once, autoloaded, as `$stored_empty`, which its readers take for "nothing".
	 *
	 * @param string $option       Option name.
	 * @param string $stored_empty What autoload_missing() stores, as kept in the table (serialized for arrays).
	 * @return mixed
	 */
	public static function network_option( string $option, string $stored_empty ) {
		return is_multisite() ? get_site_option( $option, false ) : self::site_option( $option, $stored_empty );
	}

	/**
	 * get_option() of an option read on many requests, or false when it does not exist; a missing one is then
	 * stored once, autoloaded, as `$stored_empty` (see autoload_missing(); single sites only), so the next
	 * request finds it among the autoloaded options instead of asking the database again.
	 *
	 * @param string $option       Option name.
	 * @param string $stored_empty What autoload_missing() stores, as kept in the table (serialized for arrays).
	 * @return mixed
	 */
	public static function site_option( string $option, string $stored_empty ) {
		$value = get_option( $option, false );
		if ( false === $value ) {
			self::autoload_missing( $option, $stored_empty );
		}
		return $value;
	}

	/**
	 * Stores a missing option once, autoloaded, with a value that means "nothing" to its readers. An option
	 * that does not exist is not cached across requests without a persistent object cache, so a small
	 * option read on every page (the logout epoch, the engine status for administrators, the daemon
	 * marker) cost each page view a query (~50 µs) while it was absent, the usual case; autoloaded it
	 * comes with WordPress's autoloaded options instead. INSERT IGNORE, not add_option(): add_option()
	 * writes with ON DUPLICATE KEY UPDATE and would overwrite a value another request stored in between.
	 * Single sites only (on multisite these are network options).
	 *
	 * @param string $option Option name.
	 * @param string $value  Stored value, as it is kept in the table (serialized for arrays).
	 */
	public static function autoload_missing( string $option, string $value ): void {
		global $wpdb;
		if ( is_multisite() ) {
			return;
		}
		$wpdb->query( $wpdb->prepare( "INSERT IGNORE INTO {$wpdb->options} (option_name, option_value, autoload) VALUES (%s, %s, 'yes')", $option, $value ) );
		// The next request loads it with the autoloaded options; with a persistent object cache, forget the
		// cached option list and the "does not exist" note so that it does.
		wp_cache_delete( 'alloptions', 'options' );
		$missing = wp_cache_get( 'notoptions', 'options' );
		if ( is_array( $missing ) && isset( $missing[ $option ] ) ) {
			unset( $missing[ $option ] );
			wp_cache_set( 'notoptions', $missing, 'options' );
		}
	}

	/**
	 * Ends every session of every user at once: O(1), each session notices on its next request.
	 *
	 * @return int The new epoch.
	 */
	public static function end_all_sessions(): int {
		// A session that begins in this same second survives: it was created after the click.
		$epoch = time();
		if ( is_multisite() ) {
			update_site_option( self::EPOCH_OPTION, $epoch );
		} else {
			update_option( self::EPOCH_OPTION, $epoch, true ); // Autoloaded: read on every signed-in request.
		}
		/**
		 * Fires after a site-wide logout.
		 *
		 * @param int $epoch Sessions that began before this Unix time end on their next request.
		 */
		do_action( 'session_warden_end_all_sessions', $epoch );
		return $epoch;
	}
}
