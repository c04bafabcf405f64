<?php
/**
 * The daily run: scheduling through WordPress's real cron storage, and the Sweeper ending idle and
 * pre-epoch sessions through the engine, the user lock and the session manager.
 */

use SessionWarden\Cron;
use SessionWarden\Engine;
use SessionWarden\Events;
use SessionWarden\Lifecycle;
use SessionWarden\Session_Record;
use SessionWarden\Session_Store;
use SessionWarden\Settings;
use SessionWarden\Sweeper;
use SessionWarden\User_Lock;

/** The options a sweep test may change; returns a function that puts them back. */
function sw_cron_snapshot(): callable {
	$site    = array(
		Settings::OPTION      => get_option( Settings::OPTION ),
		Settings::PLAN_OPTION => get_option( Settings::PLAN_OPTION ),
	);
	$network = array(
		Settings::EPOCH_OPTION => get_site_option( Settings::EPOCH_OPTION ),
		Engine::STATUS_OPTION  => get_site_option( Engine::STATUS_OPTION ),
	);
	return static function () use ( $site, $network ): void {
		foreach ( $site as $name => $value ) {
			false === $value ? delete_option( $name ) : update_option( $name, $value );
		}
		foreach ( $network as $name => $value ) {
			if ( Settings::EPOCH_OPTION === $name && false !== $value ) {
				sw_cron_set_epoch( (int) $value );
				continue;
			}
			false === $value ? delete_site_option( $name ) : update_site_option( $name, $value );
		}
	};
}

/**
 * Sets the logout epoch the way Settings::end_all_sessions() stores it (autoloaded on a single site).
 * update_site_option() would store it not autoloaded on a single site, and WordPress before 6.4 then keeps
 * the old value in its cached autoloaded options, where a later delete_site_option() does not remove it.
 */
function sw_cron_set_epoch( int $epoch ): void {
	if ( is_multisite() ) {
		update_site_option( Settings::EPOCH_OPTION, $epoch );
	} else {
		update_option( Settings::EPOCH_OPTION, $epoch, true );
	}
}

/**
 * Stores a settings document the way the settings screen does. While the engine has no `settings_plan`
 * op yet, Settings::save() cannot finish; then the document the engine normalised is stored directly.
 */
function sw_cron_use_settings( array $raw ): void {
	$saved = Settings::save( $raw );
	if ( ! is_wp_error( $saved ) ) {
		return;
	}
	sw_assert_same( 'session_warden_engine', $saved->get_error_code(), 'Settings::save: ' . $saved->get_error_message() );
	$reply = Engine::ask( 'validate_settings', array( 'settings' => (object) $raw ) );
	sw_assert( ! empty( $reply['valid'] ), 'the engine accepts the test settings' );
	update_option( Settings::OPTION, $reply['settings'] );
	delete_option( Settings::PLAN_OPTION );
}

/**
 * Creates a session through core, as a sign-in does, and ends that "request": the plugin's sign-in
 * handling may keep the user's lock until the request's end (User_Lock::hold()), which a CLI test
 * process never reaches by itself.
 *
 * @return string The session's verifier.
 */
function sw_cron_new_session( WP_User $user ): string {
	$token = WP_Session_Tokens::get_instance( $user->ID )->create( time() + DAY_IN_SECONDS );
	$lock  = new User_Lock();
	while ( $lock->holds( $user->ID ) ) {
		$lock->let_go( $user->ID );
	}
	return ( new Session_Store() )->verifier_for_token( $token );
}

/**
 * Rewrites a session as if it had begun $age seconds ago (and, when given, with the plugin's fields and
 * other keys). Do this after every session of the test exists: creating a session lets the plugin look
 * at the user's other sessions, and it would end aged ones itself.
 */
function sw_cron_age( WP_User $user, string $verifier, int $age, array $ours = array(), array $extra = array() ): void {
	$store  = new Session_Store();
	$record = $store->get( $user->ID, $verifier );
	if ( $age > 0 ) {
		$record['login'] = time() - $age;
		$ours           += array( 'last_activity' => time() - $age );
	}
	if ( $ours ) {
		$record[ Session_Record::KEY ] = $ours;
	}
	$store->update( $user->ID, $verifier, $extra + $record );
}

/** session_ended events of a user: verifier => reason. */
function sw_cron_ended( int $user_id ): array {
	$out = array();
	foreach ( Events::query(
		array(
			'user_id' => $user_id,
			'type'    => Events::SESSION_ENDED,
		)
	) as $event ) {
		$out[ $event['verifier'] ] = $event['reason'];
	}
	return $out;
}

/** A fixture user without sessions or events. */
function sw_cron_user( string $login ): WP_User {
	global $wpdb;
	$user = sw_fixture_user( $login, 'subscriber' );
	WP_Session_Tokens::get_instance( $user->ID )->destroy_all();
	$wpdb->delete( Events::table(), array( 'user_id' => $user->ID ), array( '%d' ) );
	return $user;
}

sw_test(
	'schedule() adds one daily session_warden_daily event, unschedule() removes it, and the hook runs daily()',
	function () {
		$was = wp_next_scheduled( Cron::HOOK );
		try {
			Cron::unschedule();
			sw_assert_same( false, wp_next_scheduled( Cron::HOOK ), 'unscheduled' );

			Lifecycle::activate();
			$next = wp_next_scheduled( Cron::HOOK );
			sw_assert( is_int( $next ), 'activation scheduled the daily run' );
			sw_assert( $next > time() && $next <= time() + DAY_IN_SECONDS, "first run within a day: $next" );
			sw_assert_same( 'daily', wp_get_scheduled_event( Cron::HOOK )->schedule, 'recurrence' );

			Cron::schedule();
			$count = 0;
			foreach ( _get_cron_array() as $hooks ) {
				$count += count( $hooks[ Cron::HOOK ] ?? array() );
			}
			sw_assert_same( 1, $count, 'scheduling twice keeps one event' );
			sw_assert_same( $next, wp_next_scheduled( Cron::HOOK ), 'and its time' );

			Lifecycle::deactivate();
			sw_assert_same( false, wp_next_scheduled( Cron::HOOK ), 'deactivation unscheduled it' );

			sw_assert( false !== has_action( Cron::HOOK, array( Cron::class, 'daily' ) ), 'Plugin::boot() registered daily() on the hook' );
		} finally {
			Cron::unschedule();
			if ( false !== $was ) {
				Cron::schedule();
			}
		}
	}
);

sw_test(
	'the daily hook prunes events past retention_days (default 90) and sweeps sessions',
	function () {
		global $wpdb;
		sw_require_engine();
		$user    = sw_cron_user( 'sw_cron_daily' );
		$restore = sw_cron_snapshot();
		try {
			delete_option( Settings::OPTION ); // The defaults: events are kept 90 days.
			sw_assert_same( 90, (int) Settings::value( 'retention_days' ), 'retention in force' );

			$table = Events::table();
			foreach ( array( 91, 89 ) as $days ) {
				Events::record( Events::LOGIN_FAILED, $user->ID, array( 'reason' => "d$days" ) );
				$wpdb->query( $wpdb->prepare( "UPDATE {$table} SET created_at = %d WHERE user_id = %d AND reason = %s", time() - $days * DAY_IN_SECONDS, $user->ID, "d$days" ) );
			}
			$old = sw_cron_new_session( $user );
			$new = sw_cron_new_session( $user );
			sw_cron_age( $user, $old, 100 );
			sw_cron_set_epoch( time() - 50 );

			do_action( Cron::HOOK );

			sw_assert_same(
				array( 'd89' ),
				array_column(
					Events::query(
						array(
							'user_id' => $user->ID,
							'type'    => Events::LOGIN_FAILED,
						)
					),
					'reason'
				),
				'only the 91-day-old event was pruned'
			);
			sw_assert_same( array( $new ), array_keys( ( new Session_Store() )->all( $user->ID ) ), 'the session from before the epoch was swept' );
			sw_assert_same( array( $old => 'epoch' ), sw_cron_ended( $user->ID ) );
		} finally {
			$restore();
			WP_Session_Tokens::get_instance( $user->ID )->destroy_all();
		}
	}
);

sw_test(
	'Sweeper ends idle sessions only, leaves live ones and other users alone, and records session_ended (idle)',
	function () {
		sw_require_engine();
		$a       = sw_cron_user( 'sw_sweep_a' ); // One idle session, one live one.
		$b       = sw_cron_user( 'sw_sweep_b' ); // Only a live session.
		$c       = sw_cron_user( 'sw_sweep_c' ); // Only an idle session: core deletes its meta row.
		$d       = sw_cron_user( 'sw_sweep_d' ); // Only an idle session, after c.
		$store   = new Session_Store();
		$restore = sw_cron_snapshot();
		try {
			sw_cron_use_settings( array( 'defaults' => array( 'idle_timeout' => 600 ) ) );
			delete_site_option( Settings::EPOCH_OPTION );

			$a_idle = sw_cron_new_session( $a );
			$a_live = sw_cron_new_session( $a );
			$b_live = sw_cron_new_session( $b );
			$c_idle = sw_cron_new_session( $c );
			$d_idle = sw_cron_new_session( $d );
			sw_cron_age(
				$a,
				$a_idle,
				3600,
				array(
					'ip'      => '203.0.113.9',
					'country' => 'NL',
					'device'  => array( 'label' => 'Firefox 126 on Linux' ),
				)
			);
			sw_cron_age( $a, $a_live, 300 ); // Last active 5 minutes ago: inside the 10-minute timeout.
			sw_cron_age( $b, $b_live, 0, array( 'last_activity' => time() ), array( 'other_plugin' => array( 'x' => 1 ) ) );
			sw_cron_age( $c, $c_idle, 7200 );
			sw_cron_age( $d, $d_idle, 601 );
			$b_before = $store->all( $b->ID );
			sw_assert( $c->ID < $d->ID, 'c was created before d' );

			// One user per page, so a page that loses c's meta row must not skip d.
			$result = Sweeper::run( 1 );

			sw_assert_same( null, $result['error'], 'no engine error' );
			sw_assert( $result['users'] >= 4, 'users swept: ' . json_encode( $result ) );
			sw_assert( $result['ended'] >= 3, 'sessions ended: ' . json_encode( $result ) );
			sw_assert_same( array( $a_live ), array_keys( $store->all( $a->ID ) ), "a keeps only the live session" );
			sw_assert_same( $b_before, $store->all( $b->ID ), "b's session is untouched, other keys included" );
			sw_assert_same( array(), $store->all( $c->ID ), 'c has no session left' );
			sw_assert_same( array(), $store->all( $d->ID ), 'd, on the page after c, was swept too' );

			sw_assert_same( array( $a_idle => 'idle' ), sw_cron_ended( $a->ID ), 'events for a' );
			sw_assert_same( array(), sw_cron_ended( $b->ID ), 'no events for b' );
			sw_assert_same( array( $c_idle => 'idle' ), sw_cron_ended( $c->ID ), 'events for c' );
			sw_assert_same( array( $d_idle => 'idle' ), sw_cron_ended( $d->ID ), 'events for d' );
			$event = Events::query(
				array(
					'user_id' => $a->ID,
					'type'    => Events::SESSION_ENDED,
				)
			)[0];
			sw_assert_same(
				array( '203.0.113.9', 'NL', 'Firefox 126 on Linux', array( 'source' => 'sweep' ) ),
				array( $event['ip'], $event['country'], $event['device'], $event['data'] ),
				'the event describes the session from its record'
			);

			// A second run finds nothing more to end for them.
			Sweeper::run();
			sw_assert_same( 1, count( sw_cron_ended( $a->ID ) ), 'no second event' );
			sw_assert_same( array( $a_live ), array_keys( $store->all( $a->ID ) ) );
		} finally {
			$restore();
			foreach ( array( $a, $b, $c, $d ) as $user ) {
				WP_Session_Tokens::get_instance( $user->ID )->destroy_all();
			}
		}
	}
);

sw_test(
	'Sweeper ends sessions that began before the logout epoch, with reason epoch, and keeps newer ones',
	function () {
		sw_require_engine();
		$user    = sw_cron_user( 'sw_sweep_epoch' );
		$store   = new Session_Store();
		$restore = sw_cron_snapshot();
		try {
			delete_option( Settings::OPTION ); // The engine's defaults: no idle timeout.
			$before = sw_cron_new_session( $user );
			$after  = sw_cron_new_session( $user );
			sw_cron_age( $user, $before, 100 );
			sw_cron_set_epoch( time() - 50 );

			$result = Sweeper::run();
			sw_assert_same( null, $result['error'] );
			sw_assert_same( array( $after ), array_keys( $store->all( $user->ID ) ), 'only the session after the epoch is left' );
			sw_assert_same( array( $before => 'epoch' ), sw_cron_ended( $user->ID ) );

			// Without an epoch nothing is ended.
			delete_site_option( Settings::EPOCH_OPTION );
			$old = sw_cron_new_session( $user );
			sw_cron_age( $user, $old, 100 );
			Sweeper::run();
			sw_assert_same( array( $after, $old ), array_keys( $store->all( $user->ID ) ), 'no epoch, no sweep' );
		} finally {
			$restore();
			WP_Session_Tokens::get_instance( $user->ID )->destroy_all();
		}
	}
);

sw_test(
	'Sweeper stops at an engine failure without ending anything, and skips a user whose lock is busy',
	function () {
		global $sw_env;
		sw_require_engine();
		$user    = sw_cron_user( 'sw_sweep_fail' );
		$store   = new Session_Store();
		$restore = sw_cron_snapshot();
		$quick   = fn () => 0.2;
		$second  = null;
		try {
			$idle = sw_cron_new_session( $user );
			sw_cron_age( $user, $idle, 100 );
			sw_cron_set_epoch( time() - 50 );

			// The engine refuses a settings document it cannot read.
			update_option( Settings::OPTION, array( 'defaults' => array( 'idle_timeout' => 'soon' ) ) );
			$result = Sweeper::run();
			sw_assert_same( 'invalid_settings', $result['error'], 'the engine error stops the run: ' . json_encode( $result ) );
			sw_assert_same( 0, $result['ended'] );
			sw_assert_same( array( $idle ), array_keys( $store->all( $user->ID ) ), 'nothing was ended' );
			sw_assert_same( 'sweep', Engine::last_error()['op'] ?? null, 'the failure was noted for the status panel' );
			sw_assert_same( array(), sw_cron_ended( $user->ID ) );
			delete_option( Settings::OPTION );

			// Another connection (a parallel request) holds the user's lock for the whole wait.
			$second = new mysqli( 'localhost', $sw_env['db']['user'], $sw_env['db']['password'], $sw_env['db']['name'], 0, $sw_env['db']['socket'] );
			$name   = $second->real_escape_string( User_Lock::name( $user->ID ) );
			sw_assert_same( '1', (string) $second->query( "SELECT GET_LOCK('$name', 1)" )->fetch_row()[0], 'second connection took the lock' );
			add_filter( 'session_warden_lock_timeout', $quick );
			$result = Sweeper::run();
			sw_assert_same( null, $result['error'] );
			sw_assert( $result['skipped'] >= 1, 'the locked user was skipped: ' . json_encode( $result ) );
			sw_assert_same( array( $idle ), array_keys( $store->all( $user->ID ) ), 'the locked user was not touched' );

			$second->query( "SELECT RELEASE_LOCK('$name')" );
			Sweeper::run();
			sw_assert_same( array(), $store->all( $user->ID ), 'swept once the lock is free' );
			sw_assert_same( array( $idle => 'epoch' ), sw_cron_ended( $user->ID ) );
		} finally {
			remove_filter( 'session_warden_lock_timeout', $quick );
			if ( $second ) {
				$second->close();
			}
			$restore();
			WP_Session_Tokens::get_instance( $user->ID )->destroy_all();
		}
	}
);
