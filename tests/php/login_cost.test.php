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

/** An option's row: [value, autoload] or null. */
function sw_login_cost_row( string $option ): ?array {
	global $wpdb;
	$row = $wpdb->get_row( $wpdb->prepare( "SELECT option_value, autoload FROM {$wpdb->options} WHERE option_name = %s", $option ), ARRAY_N );
	return $row ?: null;
}

/** Puts option rows back as they were (value and autoload). */
function sw_login_cost_restore( array $rows ): void {
	global $wpdb;
	foreach ( $rows as $option => $row ) {
		$wpdb->delete( $wpdb->options, array( 'option_name' => $option ) );
		if ( null !== $row ) {
			$wpdb->insert(
				$wpdb->options,
				array(
					'option_name'  => $option,
					'option_value' => $row[0],
					'autoload'     => $row[1],
				)
			);
		}
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
		$saved   = array_combine( $options, array_map( 'sw_login_cost_row', $options ) );
		try {
			foreach ( $options as $option ) {
				$wpdb->delete( $wpdb->options, array( 'option_name' => $option ) );
			}
			sw_login_cost_new_request();
			sw_login_cost_prime();
			foreach ( $options as $option ) {
				sw_assert_same( array( '', 'yes' ), sw_login_cost_row( $option ), "$option stored" );
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
			sw_assert_same( 'runtime', sw_login_cost_row( Engine_Client::MODE_OPTION )[0] ?? null, 'pinned' );
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
		$saved  = array( $option => sw_login_cost_row( $option ) );
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
			sw_assert_same( array( 'process', 'no' ), sw_login_cost_row( $option ), 'the other request\'s pin is kept' );
			sw_login_cost_new_request();
			sw_assert_same( Engine_Client::VIA_PROCESS, Engine_Client::pinned_mode(), 'and read on the next request' );
		} finally {
			sw_login_cost_restore( $saved );
		}
	}
);
