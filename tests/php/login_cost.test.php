<?php
/**
 * What a sign-in costs the plugin in queries: the options it reads come with WordPress's autoloaded
 * options (absent ones are stored once, empty, where empty means what no option means).
 */

use SessionWarden\Engine_Client;
use SessionWarden\Engine_Panel;
use SessionWarden\Geo_Upload;
use SessionWarden\Login_Guard;

/** Forgets what this process cached about options, as a new request would start. */
function sw_login_cost_new_request(): void {
	foreach ( array( 'alloptions', 'notoptions', Engine_Client::MODE_OPTION, Geo_Upload::OPTION ) as $key ) {
		wp_cache_delete( $key, 'options' );
	}
	wp_load_alloptions();
}

/** Puts option rows back as they were (value and autoload). */
function sw_login_cost_restore( array $rows ): void {
	foreach ( $rows as $option => $row ) {
		sw_put_option_row( $option, $row );
	}
	sw_login_cost_new_request();
}

/** Login_Guard::prime_options(), which a sign-in runs before its engine client is built; returns the SQL it sent. */
function sw_login_cost_prime(): array {
	$sent    = array();
	$capture = static function ( $sql ) use ( &$sent ) {
		$sent[] = $sql;
		return $sql;
	};
	add_filter( 'query', $capture );
	try {
		$prime = new ReflectionMethod( Login_Guard::class, 'prime_options' );
		$prime->setAccessible( true );
		$prime->invoke( null );
	} finally {
		remove_filter( 'query', $capture );
	}
	return $sent;
}

sw_test(
	'single site: a sign-in stores the missing engine mode and uploaded-database options once, empty and autoloaded; later sign-ins read neither from the database, and empty still means automatic / no upload',
	function () {
		global $wpdb;
		if ( is_multisite() ) {
			sw_skip( 'on multisite these are network options' );
		}
		$options = array( Engine_Client::MODE_OPTION, Geo_Upload::OPTION );
		$saved   = array_combine( $options, array_map( 'sw_option_row', $options ) );
		try {
			foreach ( $options as $option ) {
				$wpdb->delete( $wpdb->options, array( 'option_name' => $option ) );
			}
			sw_login_cost_new_request();
			sw_login_cost_prime();
			foreach ( $options as $option ) {
				sw_assert_same( array( '', 'yes' ), sw_option_row( $option ), "$option stored" );
			}

			sw_login_cost_new_request();
			$sent = sw_login_cost_prime();
			foreach ( $sent as $sql ) {
				foreach ( $options as $option ) {
					sw_assert( ! str_contains( $sql, $option ), "the next sign-in reads $option: $sql" );
				}
			}
			$before = $wpdb->num_queries;
			sw_assert_same( null, Engine_Client::pinned_mode(), 'the empty mode is automatic selection' );
			sw_assert_same( 'auto', Engine_Panel::sanitize_mode( get_site_option( Engine_Client::MODE_OPTION, 'auto' ) ), 'and the engine panel shows automatic' );
			sw_assert_same( null, Geo_Upload::stored_path(), 'the empty upload option is no upload' );
			sw_assert_same( 0, $wpdb->num_queries - $before, 'queries for the engine mode and the upload' );

			// A pinned mode (saved as the engine panel saves it) replaces the empty one; automatic deletes it again.
			update_site_option( Engine_Client::MODE_OPTION, Engine_Client::VIA_RUNTIME );
			sw_login_cost_new_request();
			sw_login_cost_prime();
			sw_assert_same( 'runtime', sw_option_row( Engine_Client::MODE_OPTION )[0] ?? null, 'pinned' );
			sw_assert_same( Engine_Client::VIA_RUNTIME, Engine_Client::pinned_mode() );
			delete_site_option( Engine_Client::MODE_OPTION );
			sw_login_cost_new_request();
			sw_assert_same( null, Engine_Client::pinned_mode(), 'automatic again' );
		} finally {
			sw_login_cost_restore( $saved );
		}
	}
);

sw_test(
	'single site: storing a missing option at sign-in never overwrites an engine mode another request saved meanwhile',
	function () {
		global $wpdb;
		if ( is_multisite() ) {
			sw_skip( 'on multisite these are network options' );
		}
		$option = Engine_Client::MODE_OPTION;
		$saved  = array( $option => sw_option_row( $option ) );
		try {
			$wpdb->delete( $wpdb->options, array( 'option_name' => $option ) );
			sw_login_cost_new_request();
			sw_assert_same( false, get_option( $option ), 'this request found no option' );
			// Another request pins the process transport (not autoloaded, as an older version stored it).
			$wpdb->insert(
				$wpdb->options,
				array(
					'option_name'  => $option,
					'option_value' => 'process',
					'autoload'     => 'no',
				)
			);
			sw_login_cost_prime();
			sw_assert_same( array( 'process', 'no' ), sw_option_row( $option ), 'the other request\'s pin is kept' );
			sw_login_cost_new_request();
			sw_assert_same( Engine_Client::VIA_PROCESS, Engine_Client::pinned_mode(), 'and read on the next request' );
		} finally {
			sw_login_cost_restore( $saved );
		}
	}
);

/**
 * One password sign-in through wp_signon(), as wp-login.php runs it, with the caches of a new request;
 * returns the SQL it sent, numbers and quoted strings masked so two users' statements compare equal.
 */
function sw_login_cost_sign_in( string $login, string $password, bool $keep_sessions = false ): array {
	$user = get_user_by( 'login', $login );
	if ( ! $keep_sessions ) {
		WP_Session_Tokens::get_instance( $user->ID )->destroy_all();
	}
	clean_user_cache( $user );
	wp_cache_delete( $user->ID, 'user_meta' );
	sw_login_cost_new_request();
	SessionWarden\Engine::reset(); // A new request builds its engine client (and reads its options) again.
	$sent    = array();
	$capture = static function ( $sql ) use ( &$sent ) {
		$sent[] = preg_replace( array( "/'(?:[^'\\\\]|\\\\.)*'/", '/\b\d+(\.\d+)?\b/' ), array( "'?'", '?' ), (string) $sql );
		return $sql;
	};
	// The auth cookies cannot be set in this process (its output has started): only that warning is dropped.
	set_error_handler( static fn ( int $no, string $message ): bool => str_contains( $message, 'Cannot modify header information' ), E_WARNING );
	add_filter( 'query', $capture );
	try {
		$signed = wp_signon(
			array(
				'user_login'    => $login,
				'user_password' => $password,
			)
		);
	} finally {
		remove_filter( 'query', $capture );
		restore_error_handler();
		wp_set_current_user( 0 );
	}
	sw_assert( $signed instanceof WP_User, 'signed in: ' . ( is_wp_error( $signed ) ? $signed->get_error_message() : '' ) );
	sw_assert( ! ( new SessionWarden\User_Lock() )->holds( $user->ID ), 'the sign-in released its lock' );
	return $sent;
}

/**
 * What the plugin added to a sign-in's SQL: with minus without, as a multiset, named by kind and sorted.
 *
 * @param string[] $on  Statements with the plugin.
 * @param string[] $off Statements of the same sign-in without it.
 */
function sw_login_cost_added( array $on, array $off ): array {
	$added = $on;
	foreach ( $off as $sql ) {
		$at = array_search( $sql, $added, true );
		if ( false !== $at ) {
			unset( $added[ $at ] );
		}
	}
	$added = array_values( $added );
	$kinds = array_map(
		static function ( string $sql ): string {
			global $wpdb;
			foreach ( array(
				'lock'         => '/^SELECT GET_LOCK\(/',
				'release'      => '/^SELECT RELEASE_LOCK\(/',
				'sessions'     => '/^SELECT user_id, meta_key, meta_value FROM ' . $wpdb->usermeta . ' WHERE user_id IN/',
				'event'        => '/^INSERT INTO ' . SessionWarden\Events::table() . ' /',
				'index row'    => '/^INSERT INTO ' . SessionWarden\Session_Index::table() . ' /',
				'index person' => '/^INSERT INTO ' . SessionWarden\Session_Index::users_table() . ' /',
			) as $kind => $pattern ) {
				if ( preg_match( $pattern, $sql ) ) {
					return $kind;
				}
			}
			return $sql;
		},
		$added
	);
	sort( $kinds );
	return $kinds;
}

sw_test(
	'single site: a password sign-in adds exactly six queries to core\'s (the per-user lock and its release, the session list read again under it, the event, the two sessions-index rows) and reads no option; a second sign-in of the same user adds five (the person row is listed already)',
	function () {
		if ( is_multisite() ) {
			sw_skip( 'on multisite the options are network options' );
		}
		foreach ( array( 'swcost_on', 'swcost_off', 'swcost_warm' ) as $login ) {
			sw_fixture_user( $login, 'subscriber', "$login-pass-1" );
		}
		// Settings as a site owner has them (saved, autoloaded; an empty document means the engine's
		// defaults, as no option does), so that only the sign-in's own reads are counted.
		$options = array( SessionWarden\Settings::OPTION, SessionWarden\Settings::PLAN_OPTION );
		$saved   = array_combine( $options, array_map( 'sw_option_row', $options ) );
		$hooks   = array();
		try {
			foreach ( array( SessionWarden\Settings::OPTION => array(), SessionWarden\Settings::PLAN_OPTION => array( 'gate' => false ) ) as $option => $value ) {
				if ( null === $saved[ $option ] ) {
					add_option( $option, $value, '', 'yes' );
				}
			}
			sw_login_cost_sign_in( 'swcost_warm', 'swcost_warm-pass-1' ); // Stores what is stored once; fills wpdb's column cache.
			$on        = sw_login_cost_sign_in( 'swcost_on', 'swcost_on-pass-1' );
			$on_second = sw_login_cost_sign_in( 'swcost_on', 'swcost_on-pass-1', true );

			// The same sign-in without any of the plugin's hooks.
			foreach ( $GLOBALS['wp_filter'] as $name => $hook ) {
				$hooks[ $name ] = clone $hook;
				foreach ( $hook->callbacks as $priority => $callbacks ) {
					foreach ( $callbacks as $callback ) {
						$fn = $callback['function'];
						if ( is_array( $fn ) && is_string( $fn[0] ) && str_starts_with( $fn[0], 'SessionWarden\\' ) ) {
							$hook->remove_filter( $name, $fn, $priority );
						}
					}
				}
			}
			$off        = sw_login_cost_sign_in( 'swcost_off', 'swcost_off-pass-1' );
			$off_second = sw_login_cost_sign_in( 'swcost_off', 'swcost_off-pass-1', true );
		} finally {
			foreach ( $hooks as $name => $hook ) {
				$GLOBALS['wp_filter'][ $name ] = $hook;
			}
			foreach ( array( 'swcost_on', 'swcost_off', 'swcost_warm' ) as $login ) {
				WP_Session_Tokens::get_instance( get_user_by( 'login', $login )->ID )->destroy_all();
			}
			foreach ( $saved as $option => $row ) {
				if ( null === $row ) {
					delete_option( $option ); // Through the option API, so whatever cached the document forgets it.
				}
			}
			sw_login_cost_new_request();
		}

		sw_assert_same( array( 'event', 'index person', 'index row', 'lock', 'release', 'sessions' ), sw_login_cost_added( $on, $off ), 'queries the plugin added' );
		sw_assert_same( array( 'event', 'index row', 'lock', 'release', 'sessions' ), sw_login_cost_added( $on_second, $off_second ), 'queries the plugin added to a second sign-in' );
	}
);

sw_test(
	'with IP rules and a country database, a sign-in asks the engine three times (gate, country, admit): the country lookup takes the client address from the gate answer, and the session gets its country',
	function () {
		global $sw_env;
		if ( empty( $sw_env['geo_db'] ) ) {
			sw_skip( 'the site has no country database (SW_GEO=0)' );
		}
		$login = 'swcost_geo';
		$user  = sw_fixture_user( $login, 'subscriber', "$login-pass-1" );
		WP_Session_Tokens::get_instance( $user->ID )->destroy_all();
		$site = get_option( SessionWarden\Settings::OPTION );
		$plan = get_option( SessionWarden\Settings::PLAN_OPTION );
		$addr = $_SERVER['REMOTE_ADDR'];
		try {
			$saved = SessionWarden\Settings::save(
				array(
					'users' => array(
						array(
							'user_id' => $user->ID,
							'rule'    => array( 'ip_deny' => array( '198.51.100.0/24' ) ),
						),
					),
				)
			);
			sw_assert( is_array( $saved ), 'settings saved' );
			sw_assert( ! empty( SessionWarden\Settings::plan()['gate'] ), 'the plan asks the gate' );
			$_SERVER['REMOTE_ADDR'] = '81.2.69.10'; // GB in the test database.
			sw_login_cost_sign_in( $login, "$login-pass-1" );
			$client = SessionWarden\Engine::client();
			$next   = new ReflectionProperty( $client, 'next_id' );
			$next->setAccessible( true );
			sw_assert_same( 3, $next->getValue( $client ) - 1, 'engine requests of the sign-in' );
			$sessions = ( new SessionWarden\Session_Store() )->all( $user->ID );
			sw_assert_same( 1, count( $sessions ) );
			$ours = SessionWarden\Session_Record::ours( reset( $sessions ) );
			sw_assert_same( '81.2.69.10', $ours['ip'] ?? null, 'client address' );
			sw_assert_same( 'GB', $ours['country'] ?? null, 'country' );
		} finally {
			$_SERVER['REMOTE_ADDR'] = $addr;
			WP_Session_Tokens::get_instance( $user->ID )->destroy_all();
			false === $site ? delete_option( SessionWarden\Settings::OPTION ) : update_option( SessionWarden\Settings::OPTION, $site );
			false === $plan ? delete_option( SessionWarden\Settings::PLAN_OPTION ) : update_option( SessionWarden\Settings::PLAN_OPTION, $plan );
		}
	}
);
