<?php
/**
 * Uninstall: Uninstaller::run() in-process, and uninstall.php through core's uninstall_plugin() in a
 * WordPress that has not loaded the plugin. Each test re-activates the plugin afterwards so later tests
 * still have the events table, and puts back the options it found.
 */

use SessionWarden\Cron;
use SessionWarden\Events;
use SessionWarden\Geo_Upload;
use SessionWarden\Lifecycle;
use SessionWarden\Session_Record;
use SessionWarden\Session_Store;
use SessionWarden\Settings;
use SessionWarden\Uninstaller;
use SessionWarden\User_Lock;

/** Every session_warden_* option with its value; returns a function that puts them back. */
function sw_uninstall_snapshot(): callable {
	global $wpdb;
	$saved = array();
	foreach ( $wpdb->get_col( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE 'session\\_warden\\_%'" ) as $name ) {
		$saved[ $name ] = get_option( $name );
	}
	$scheduled = false !== wp_next_scheduled( Cron::HOOK );
	return static function () use ( $saved, $scheduled ): void {
		wp_cache_flush(); // Another process may have changed the options behind this one's cache.
		Lifecycle::activate();
		foreach ( $saved as $name => $value ) {
			update_option( $name, $value );
		}
		if ( ! $scheduled ) {
			Cron::unschedule();
		}
	};
}

/**
 * Plants one of everything uninstall must remove (and things it must keep); returns what was planted.
 */
function sw_uninstall_plant(): array {
	global $wpdb;
	$user  = sw_fixture_user( 'sw_uninstall_a', 'subscriber' );
	$store = new Session_Store();
	WP_Session_Tokens::get_instance( $user->ID )->destroy_all();

	Lifecycle::activate();
	$wpdb->delete( Events::table(), array( 'user_id' => $user->ID ), array( '%d' ) );
	update_option( Settings::OPTION, array( 'version' => 3 ) );
	update_option( Settings::PLAN_OPTION, array( 'gate' => true ) );
	update_site_option( Settings::EPOCH_OPTION, 1000 );
	update_option( 'session_warden_engine_status', array( 'last_error' => null ) );
	update_option( 'session_warden_something_later', 'x', false );
	set_transient( 'session_warden_cache', array( 1 ), HOUR_IN_SECONDS );
	update_option( 'sessionXwardenXkeep', 'not ours' ); // Would match an unescaped LIKE 'session_warden_%'.
	update_user_meta( $user->ID, 'session_warden_seen', '1' );
	update_user_meta( $user->ID, 'sessionXwardenXkeep', '1' );
	Events::record( Events::SESSION_CREATED, $user->ID );
	Cron::schedule();
	// An uploaded country database, as the settings screen stores it.
	$geo_dir = Geo_Upload::directory();
	wp_mkdir_p( $geo_dir );
	$geo_file = $geo_dir . '/country-' . wp_generate_password( 20, false ) . '.mmdb';
	file_put_contents( $geo_file, 'planted' );
	update_site_option( Geo_Upload::OPTION, array( 'path' => $geo_file ) );

	$tokens = array(
		'ours'   => WP_Session_Tokens::get_instance( $user->ID )->create( time() + DAY_IN_SECONDS ),
		'second' => WP_Session_Tokens::get_instance( $user->ID )->create( time() + DAY_IN_SECONDS ),
	);
	// The sign-in handling may hold the user's lock until the request ends; this "request" has.
	$lock = new User_Lock();
	while ( $lock->holds( $user->ID ) ) {
		$lock->let_go( $user->ID );
	}
	$ours                          = $store->verifier_for_token( $tokens['ours'] );
	$record                        = $store->get( $user->ID, $ours );
	$record[ Session_Record::KEY ] = array(
		'ip'            => '203.0.113.9',
		'last_activity' => time(),
	);
	$record['other_plugin']        = array( 'kept' => true );
	$store->update( $user->ID, $ours, $record );

	sw_assert( false !== get_option( 'session_warden_db_version' ), 'planted: db version' );
	sw_assert( false !== wp_next_scheduled( Cron::HOOK ), 'planted: cron' );
	sw_assert_same( 1, Events::count( array( 'user_id' => $user->ID ) ), 'planted: event' );
	sw_assert( isset( $store->all( $user->ID )[ $ours ][ Session_Record::KEY ] ), 'planted: session key' );

	return array(
		'user'     => $user,
		'tokens'   => $tokens,
		'sessions' => $store->all( $user->ID ),
		'geo_file' => $geo_file,
	);
}

/** Fails unless everything planted is gone and everything to keep is kept. */
function sw_uninstall_check( array $planted ): void {
	global $wpdb;
	$user = $planted['user'];

	$left = $wpdb->get_col( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE '%session\\_warden\\_%'" );
	sw_assert_same( array(), $left, 'options and transients left' );
	sw_assert_same( 'not ours', get_option( 'sessionXwardenXkeep' ), 'a look-alike option is kept' );
	sw_assert_same( false, get_transient( 'session_warden_cache' ), 'transient' );
	sw_assert_same( false, get_site_option( Settings::EPOCH_OPTION ), 'epoch' );
	sw_assert_same( '', get_user_meta( $user->ID, 'session_warden_seen', true ), 'user meta' );
	sw_assert_same( '1', get_user_meta( $user->ID, 'sessionXwardenXkeep', true ), 'a look-alike user meta is kept' );

	$table = Events::table();
	sw_assert_same( null, $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $table ) ) ), 'events table dropped' );
	sw_assert_same( false, wp_next_scheduled( Cron::HOOK ), 'cron' );
	sw_assert( ! file_exists( $planted['geo_file'] ), 'the uploaded country database is deleted' );
	sw_assert( ! file_exists( dirname( $planted['geo_file'] ) . '/.htaccess' ), 'and the guards of its directory' );

	$after = ( new Session_Store() )->all( $user->ID );
	sw_assert_same( array_keys( $planted['sessions'] ), array_keys( $after ), 'every session is still there' );
	foreach ( $planted['sessions'] as $verifier => $record ) {
		unset( $record[ Session_Record::KEY ] );
		sw_assert_same( $record, $after[ $verifier ], "session $verifier without our key, core's and other keys intact" );
	}
	sw_assert( isset( $after[ ( new Session_Store() )->verifier_for_token( $planted['tokens']['ours'] ) ]['other_plugin'] ), 'other plugin key' );
	foreach ( $planted['tokens'] as $name => $token ) {
		sw_assert( false !== WP_Session_Tokens::get_instance( $user->ID )->verify( $token ), "the $name session still logs in" );
	}
}

/** Removes what the test planted that uninstall keeps. */
function sw_uninstall_tidy( array $planted ): void {
	delete_option( 'sessionXwardenXkeep' );
	delete_user_meta( $planted['user']->ID, 'sessionXwardenXkeep' );
	delete_user_meta( $planted['user']->ID, 'session_warden_seen' );
	WP_Session_Tokens::get_instance( $planted['user']->ID )->destroy_all();
}

sw_test(
	'Uninstaller::run() removes options, transients, user meta, the table, the cron event and our session key, and keeps the sessions',
	function () {
		global $wpdb;
		$restore = sw_uninstall_snapshot();
		$planted = null;
		// The one-shot engines' note in their run directory (a private temp one here, not the site's).
		$run_dir = sys_get_temp_dir() . '/sw-uninstall-run-' . getmypid();
		$run     = static fn () => $run_dir;
		mkdir( $run_dir, 0700 );
		file_put_contents( $run_dir . '/artifact.verified', "noted\n" );
		add_filter( 'session_warden_run_dir', $run );
		try {
			$planted = sw_uninstall_plant();
			$result  = Uninstaller::run();
			sw_assert_same( 1, $result['sites'], 'sites' );
			sw_assert( $result['sessions'] >= 1, 'session records rewritten: ' . json_encode( $result ) );
			sw_uninstall_check( $planted );
			sw_assert( ! file_exists( $run_dir . '/artifact.verified' ), 'the engines\' artifact note is deleted' );

			// Running it again on a clean site is harmless.
			Uninstaller::run();
			sw_uninstall_check( $planted );
		} finally {
			remove_filter( 'session_warden_run_dir', $run );
			@unlink( $run_dir . '/artifact.verified' ); // phpcs:ignore WordPress.PHP.NoSilencedErrors
			rmdir( $run_dir );
			$restore();
			if ( $planted ) {
				sw_uninstall_tidy( $planted );
			}
		}
		sw_assert( Events::table() === $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( Events::table() ) ) ), 'activation brought the table back' );
	}
);

sw_test(
	'uninstall.php, run by core\'s uninstall_plugin() in a WordPress that did not load the plugin, removes the same',
	function () {
		global $sw_env, $wpdb;
		$restore = sw_uninstall_snapshot();
		$planted = null;
		$script  = tempnam( sys_get_temp_dir(), 'sw-uninstall' );
		try {
			$planted = sw_uninstall_plant();
			// The child keeps the plugin out of active_plugins before WordPress loads plugins (a pre-set
			// $wp_filter is how core lets code hook in that early), like a deactivated plugin being deleted.
			file_put_contents(
				$script,
				'<?php
$GLOBALS["wp_filter"] = array(
	"option_active_plugins" => array(
		10 => array(
			array(
				"function"      => function ( $plugins ) {
					return array_values( array_diff( (array) $plugins, array( "session-warden/session-warden.php" ) ) );
				},
				"accepted_args" => 1,
			),
		),
	),
);
require ' . var_export( __DIR__ . '/bootstrap.php', true ) . ';
$loaded = class_exists( "SessionWarden\\\\Plugin", false ) || class_exists( "SessionWarden\\\\Events", false );
$ran    = uninstall_plugin( "session-warden/session-warden.php" );
echo "\n", json_encode( array( "loaded_before" => $loaded, "ran" => $ran, "uninstaller" => class_exists( "SessionWarden\\\\Uninstaller", false ) ) ), "\n";
'
			);
			$out = shell_exec( 'SW_ENV=' . escapeshellarg( getenv( 'SW_ENV' ) ?: '' ) . ' php ' . escapeshellarg( $script ) . ' 2>&1' );
			$lines  = array_values( array_filter( explode( "\n", (string) $out ) ) );
			$report = json_decode( (string) end( $lines ), true );
			sw_assert( is_array( $report ), 'child output: ' . $out );
			sw_assert_same(
				array(
					'loaded_before' => false,
					'ran'           => true,
					'uninstaller'   => true,
				),
				$report,
				'child: ' . $out
			);

			wp_cache_flush(); // This process still caches what the child deleted.
			sw_uninstall_check( $planted );
		} finally {
			unlink( $script );
			$restore();
			if ( $planted ) {
				sw_uninstall_tidy( $planted );
			}
		}
		sw_assert( Events::table() === $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( Events::table() ) ) ), 'activation brought the table back' );
	}
);
