<?php
/**
 * What a signed-in page view costs the plugin in queries: the options it reads on every request come
 * with WordPress's autoloaded options, and a missing one is stored once instead of being looked up on
 * every request.
 */

use SessionWarden\Settings;

/** Forgets what this process cached about options, as a new request would start. */
function sw_page_cost_new_request(): void {
	wp_cache_delete( 'alloptions', 'options' );
	wp_cache_delete( 'notoptions', 'options' );
	wp_cache_delete( Settings::EPOCH_OPTION, 'options' );
	wp_load_alloptions();
}

/** The epoch option's row: [value, autoload] or null. */
function sw_page_cost_epoch_row(): ?array {
	return sw_option_row( Settings::EPOCH_OPTION );
}

/** Puts the epoch back as it was (value and autoload), whatever the test did. */
function sw_page_cost_restore_epoch( ?array $row ): void {
	sw_put_option_row( Settings::EPOCH_OPTION, $row );
	sw_page_cost_new_request();
}

sw_test(
	'single site: a missing logout epoch is stored once, autoloaded, and later reads make no query',
	function () {
		global $wpdb;
		if ( is_multisite() ) {
			sw_skip( 'on multisite the epoch is a network option' );
		}
		$saved = sw_page_cost_epoch_row();
		try {
			$wpdb->delete( $wpdb->options, array( 'option_name' => Settings::EPOCH_OPTION ) );
			sw_page_cost_new_request();
			sw_assert_same( 0, Settings::epoch(), 'epoch without the option' );
			sw_assert_same( array( '0', 'yes' ), sw_page_cost_epoch_row(), 'stored as an autoloaded 0' );

			sw_page_cost_new_request();
			$before = $wpdb->num_queries;
			sw_assert_same( 0, Settings::epoch(), 'epoch read back' );
			sw_assert_same( 0, $wpdb->num_queries - $before, 'queries for the epoch on the next request' );
		} finally {
			sw_page_cost_restore_epoch( $saved );
		}
	}
);

sw_test(
	'single site: storing the missing epoch never overwrites one another request wrote meanwhile',
	function () {
		global $wpdb;
		if ( is_multisite() ) {
			sw_skip( 'on multisite the epoch is a network option' );
		}
		$saved = sw_page_cost_epoch_row();
		try {
			$wpdb->delete( $wpdb->options, array( 'option_name' => Settings::EPOCH_OPTION ) );
			sw_page_cost_new_request();
			// This request looked and found nothing (the "does not exist" note)…
			sw_assert_same( false, get_option( Settings::EPOCH_OPTION ) );
			// …then another request logged everyone out, the old way (not autoloaded).
			$wpdb->insert(
				$wpdb->options,
				array(
					'option_name'  => Settings::EPOCH_OPTION,
					'option_value' => '1700000123',
					'autoload'     => 'no',
				)
			);
			Settings::epoch();
			sw_assert_same( array( '1700000123', 'no' ), sw_page_cost_epoch_row(), 'the other request\'s epoch is kept' );
			sw_page_cost_new_request();
			sw_assert_same( 1700000123, Settings::epoch(), 'and read on the next request' );
		} finally {
			sw_page_cost_restore_epoch( $saved );
		}
	}
);

sw_test(
	'single site: logging everyone out stores the epoch autoloaded (also over an old non-autoloaded one)',
	function () {
		global $wpdb;
		if ( is_multisite() ) {
			sw_skip( 'on multisite the epoch is a network option' );
		}
		$saved = sw_page_cost_epoch_row();
		// Only the epoch write is under test: the sessions index keeps its rows (the epoch is put back).
		$hooks = isset( $GLOBALS['wp_filter']['session_warden_end_all_sessions'] ) ? clone $GLOBALS['wp_filter']['session_warden_end_all_sessions'] : null;
		remove_all_actions( 'session_warden_end_all_sessions' ); // Empties the hook object in place: the clone keeps them.
		try {
			update_option( Settings::EPOCH_OPTION, 1000, false );
			$epoch = Settings::end_all_sessions();
			$row = sw_page_cost_epoch_row();
			sw_assert_same( (string) $epoch, $row[0] ?? null, 'stored epoch' );
			sw_assert( in_array( $row[1] ?? '', array( 'yes', 'on' ), true ), 'autoloaded, got ' . var_export( $row[1] ?? null, true ) );
			sw_page_cost_new_request();
			$before = $wpdb->num_queries;
			sw_assert_same( $epoch, Settings::epoch() );
			sw_assert_same( 0, $wpdb->num_queries - $before, 'queries for the epoch' );
		} finally {
			if ( null !== $hooks ) {
				$GLOBALS['wp_filter']['session_warden_end_all_sessions'] = $hooks;
			}
			sw_page_cost_restore_epoch( $saved );
		}
	}
);

/** Puts an option's row back as it was (value and autoload). */
function sw_page_cost_restore( string $option, ?array $row ): void {
	sw_put_option_row( $option, $row );
	sw_page_cost_new_request();
}

sw_test(
	'single site: the engine warning for administrators reads an autoloaded status (stored once, empty) and still shows a failure',
	function () {
		global $wpdb;
		if ( is_multisite() ) {
			sw_skip( 'on multisite the engine status is a network option' );
		}
		$option = SessionWarden\Engine::STATUS_OPTION;
		$saved  = sw_option_row( $option );
		$user   = get_current_user_id();
		try {
			wp_set_current_user( 1 );
			$wpdb->delete( $wpdb->options, array( 'option_name' => $option ) );
			wp_cache_delete( $option, 'options' );
			sw_page_cost_new_request();
			ob_start();
			SessionWarden\Admin_Notice::render();
			sw_assert_same( '', ob_get_clean(), 'no warning without a failure' );
			sw_assert_same( array( serialize( array() ), 'yes' ), sw_option_row( $option ), 'stored empty, autoloaded' );

			sw_page_cost_new_request();
			$before = $wpdb->num_queries;
			ob_start();
			SessionWarden\Admin_Notice::render();
			ob_end_clean();
			sw_assert_same( 0, $wpdb->num_queries - $before, 'queries for the warning on the next page' );

			// A failure is still recorded over the stored empty status, and shown.
			update_site_option( $option, array( 'last_error' => array( 'time' => time() - 5, 'op' => 'visit', 'code' => 'unreachable', 'message' => 'test failure' ) ) );
			sw_page_cost_new_request();
			ob_start();
			SessionWarden\Admin_Notice::render();
			sw_assert_match( '/id="session-warden-engine-notice".*test failure/s', (string) ob_get_clean(), 'the warning' );
		} finally {
			wp_set_current_user( $user );
			sw_page_cost_restore( $option, $saved );
		}
	}
);

sw_test(
	'single site: the daemon marker is read from the autoloaded options (stored once as "no daemon", and autoloaded when a daemon is recorded)',
	function () {
		global $wpdb;
		if ( is_multisite() ) {
			sw_skip( 'on multisite the marker is a network option' );
		}
		$option = SessionWarden\Daemon::MARKER_OPTION;
		$saved  = sw_option_row( $option );
		try {
			$wpdb->delete( $wpdb->options, array( 'option_name' => $option ) );
			wp_cache_delete( $option, 'options' );
			sw_page_cost_new_request();
			sw_assert_same( null, SessionWarden\Daemon::marker(), 'no marker' );
			sw_assert_same( array( '', 'yes' ), sw_option_row( $option ), 'stored as an autoloaded empty string' );
			sw_page_cost_new_request();
			$before = $wpdb->num_queries;
			sw_assert_same( null, SessionWarden\Daemon::marker(), 'still no marker' );
			sw_assert_same( 0, $wpdb->num_queries - $before, 'queries for the marker on the next request' );
		} finally {
			sw_page_cost_restore( $option, $saved );
		}
	}
);

sw_test(
	'the settings document is read once per request and follows every write through the option API',
	function () {
		global $wpdb;
		$before = get_option( Settings::OPTION );
		try {
			update_option( Settings::OPTION, array( 'version' => 41, 'idle_warning' => 0 ) );
			sw_assert_same( 41, Settings::version() );
			// Read once: a later read costs no unserialize of the option (the same array is handed out).
			$calls  = 0;
			$count  = static function ( $value ) use ( &$calls ) {
				++$calls;
				return $value;
			};
			add_filter( 'option_' . Settings::OPTION, $count );
			Settings::current();
			Settings::value( 'idle_warning' );
			sw_assert_same( 0, $calls, 'get_option() calls after the first read' );
			remove_filter( 'option_' . Settings::OPTION, $count );

			update_option( Settings::OPTION, array( 'version' => 42 ) );
			sw_assert_same( 42, Settings::version(), 'after update_option' );
			delete_option( Settings::OPTION );
			sw_assert_same( array(), Settings::current(), 'after delete_option: the defaults' );
			add_option( Settings::OPTION, array( 'version' => 43 ) );
			sw_assert_same( 43, Settings::version(), 'after add_option' );
			if ( is_multisite() ) {
				delete_option( Settings::OPTION );
				$network = get_site_option( Settings::OPTION );
				update_site_option( Settings::OPTION, array( 'version' => 44 ) );
				sw_assert_same( 44, Settings::version(), 'the network document after update_site_option' );
				false === $network ? delete_site_option( Settings::OPTION ) : update_site_option( Settings::OPTION, $network );
			}
		} finally {
			false === $before ? delete_option( Settings::OPTION ) : update_option( Settings::OPTION, $before );
		}
	}
);

sw_test(
	'the plugin\'s screens are registered for users who can open one of them, and on any plugin screen, not on an editor\'s other pages',
	function () {
		$screens = array(
			array( 'admin_menu', array( SessionWarden\Engine_Panel::class, 'add_page' ), 10 ),
			array( 'admin_menu', array( SessionWarden\Sessions_Screen::class, 'add_page' ), 10 ),
			array( 'admin_menu', array( SessionWarden\Settings_Screen::class, 'add_page' ), 20 ),
		);
		$registered = static function () use ( $screens ): array {
			$out = array();
			foreach ( $screens as [ $hook, $callback, $priority ] ) {
				$out[] = has_action( $hook, $callback ) === $priority;
				remove_action( $hook, $callback, $priority );
			}
			return $out;
		};
		$editor  = sw_fixture_user( 'page-cost-editor', 'editor' );
		$manager = sw_fixture_user( 'page-cost-manager', 'editor' );
		$manager->add_cap( SessionWarden\Session_Directory::CAP );
		$granted = static fn ( $caps, $cap ) => 'manage_options' === $cap[0] ? array_merge( $caps, array( 'manage_options' => true ) ) : $caps;
		$page    = $_GET['page'] ?? null;
		unset( $_GET['page'] );
		try {
			$registered();
			$cases = array(
				'editor'                                 => array( $editor, null, false ),
				'editor on a plugin screen'              => array( $editor, 'session-warden', true ),
				'administrator'                          => array( get_user_by( 'login', 'admin' ), null, true ),
				'editor with the sessions capability'    => array( $manager, null, true ),
				'editor given manage_options by a filter' => array( $editor, null, true, $granted ),
			);
			foreach ( $cases as $name => $case ) {
				wp_set_current_user( $case[0]->ID );
				if ( null !== $case[1] ) {
					$_GET['page'] = $case[1];
				}
				if ( isset( $case[3] ) ) {
					add_filter( 'user_has_cap', $case[3], 10, 2 );
				}
				SessionWarden\Plugin::admin_menu();
				unset( $_GET['page'] );
				if ( isset( $case[3] ) ) {
					remove_filter( 'user_has_cap', $case[3], 10 );
				}
				sw_assert_same( array_fill( 0, 3, $case[2] ), $registered(), $name );
			}
		} finally {
			$manager->remove_cap( SessionWarden\Session_Directory::CAP );
			if ( null !== $page ) {
				$_GET['page'] = $page;
			}
			wp_set_current_user( 0 );
		}
	}
);
