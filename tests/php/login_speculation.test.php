<?php
/**
 * A sign-in sends its `admit` question before it takes the per-user lock, on the session list it read
 * while the password was checked, and uses that answer only when the list read under the lock is the
 * same. A parallel sign-in that lands in between (simulated from a second database connection, as
 * another PHP process or web server writes it) must make it ask again.
 */

use SessionWarden\Engine;
use SessionWarden\Settings;
use SessionWarden\User_Lock;

/** Engine requests sent by the client of the sign-in in progress (sw_spec_sign_in() starts a new one). */
function sw_spec_requests(): int {
	$next = new ReflectionProperty( Engine::client(), 'next_id' );
	$next->setAccessible( true );
	return $next->getValue( Engine::client() ) - 1;
}

/**
 * wp_signon() with the caches of a new request. $before_lock runs when the sign-in is about to take its
 * lock (the lock timeout filter), after its question went out; it returns what the sign-in returned.
 */
function sw_spec_sign_in( WP_User $user, string $password, ?callable $before_lock = null ) {
	clean_user_cache( $user );
	wp_cache_delete( $user->ID, 'user_meta' );
	$once = static function ( $timeout ) use ( &$before_lock ) {
		if ( null !== $before_lock ) {
			$run         = $before_lock;
			$before_lock = null;
			$run();
		}
		return $timeout;
	};
	add_filter( 'session_warden_lock_timeout', $once );
	// No country lookups: every engine request the tests count is then the sign-in's `admit`.
	add_filter( 'session_warden_geo_db', '__return_empty_string' );
	Engine::reset();
	set_error_handler( static fn ( int $no, string $message ): bool => str_contains( $message, 'Cannot modify header information' ), E_WARNING );
	try {
		return wp_signon(
			array(
				'user_login'    => $user->user_login,
				'user_password' => $password,
			)
		);
	} finally {
		restore_error_handler();
		remove_filter( 'session_warden_lock_timeout', $once );
		remove_filter( 'session_warden_geo_db', '__return_empty_string' );
		wp_set_current_user( 0 );
	}
}

/** Stores a session for the user from a second database connection: a sign-in in another process. */
function sw_spec_parallel_session( WP_User $user ): string {
	global $sw_env, $wpdb;
	$verifier = hash( 'sha256', 'parallel-' . wp_generate_password( 20, false ) );
	$sessions = array(
		$verifier => array(
			'expiration' => time() + DAY_IN_SECONDS,
			'ip'         => '192.0.2.7',
			'ua'         => 'parallel sign-in',
			'login'      => time() - 5,
		),
	);
	$db = new mysqli( 'localhost', $sw_env['db']['user'], $sw_env['db']['password'], $sw_env['db']['name'], 0, $sw_env['db']['socket'] );
	try {
		$db->query( sprintf( "DELETE FROM %s WHERE user_id = %d AND meta_key = 'session_tokens'", $wpdb->usermeta, $user->ID ) );
		$db->query( sprintf( "INSERT INTO %s (user_id, meta_key, meta_value) VALUES (%d, 'session_tokens', '%s')", $wpdb->usermeta, $user->ID, $db->real_escape_string( serialize( $sessions ) ) ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.serialize_serialize
	} finally {
		$db->close();
	}
	return $verifier;
}

/**
 * Signs the user in while a parallel sign-in stores its session between the question and the lock;
 * returns what the sign-in returned and the sessions left afterwards, as the database has them.
 */
function sw_spec_sign_in_beside_parallel( WP_User $user, string $password ): array {
	$parallel = null;
	$signed   = sw_spec_sign_in(
		$user,
		$password,
		static function () use ( $user, &$parallel ) {
			$parallel = sw_spec_parallel_session( $user );
		}
	);
	sw_assert( null !== $parallel, 'the parallel session was stored before the lock' );
	clean_user_cache( $user );
	wp_cache_delete( $user->ID, 'user_meta' );
	return array( $signed, WP_Session_Tokens::get_instance( $user->ID )->get_all() );
}

/** Runs $fn with a limit of one session for everyone in the given mode, then puts the settings back. */
function sw_spec_with_limit( string $mode, callable $fn ): void {
	$options = array( Settings::OPTION, Settings::PLAN_OPTION );
	$saved   = array_combine( $options, array_map( 'sw_option_row', $options ) );
	try {
		$result = Settings::save(
			array(
				'defaults' => array(
					'limits' => array(
						array(
							'kind' => 'user',
							'max'  => 1,
						),
					),
					'mode'   => $mode,
				),
			)
		);
		sw_assert( is_array( $result ), 'settings saved: ' . wp_json_encode( $result ) );
		$fn();
	} finally {
		foreach ( $saved as $option => $row ) {
			sw_put_option_row( $option, $row );
		}
		wp_cache_delete( 'alloptions', 'options' );
		wp_cache_delete( 'notoptions', 'options' );
		Settings::forget();
	}
}

sw_test(
	'a sign-in sends its question before taking the lock and, the session list being unchanged under it, asks the engine once',
	function () {
		global $wpdb;
		$user = sw_fixture_user( 'sw_spec_hit', 'subscriber', 'sw_spec_hit-pass-1' );
		WP_Session_Tokens::get_instance( $user->ID )->destroy_all();
		sw_spec_with_limit(
			'block',
			function () use ( $user, $wpdb ) {
				$at_lock = null;
				$watch   = static function ( $sql ) use ( &$at_lock ) {
					if ( null === $at_lock && str_starts_with( (string) $sql, 'SELECT GET_LOCK(' ) ) {
						$at_lock = sw_spec_requests();
					}
					return $sql;
				};
				add_filter( 'query', $watch );
				try {
					$signed = sw_spec_sign_in( $user, 'sw_spec_hit-pass-1' );
				} finally {
					remove_filter( 'query', $watch );
				}
				sw_assert( $signed instanceof WP_User, 'signed in: ' . ( is_wp_error( $signed ) ? $signed->get_error_message() : '' ) );
				sw_assert_same( 1, $at_lock, 'engine requests sent when the lock was taken' );
				sw_assert_same( 1, sw_spec_requests(), 'engine requests of the sign-in' );
				sw_assert_same( 1, count( WP_Session_Tokens::get_instance( $user->ID )->get_all() ), 'sessions' );
				sw_assert( ! ( new User_Lock() )->holds( $user->ID ), 'the lock is released' );
				WP_Session_Tokens::get_instance( $user->ID )->destroy_all();
			}
		);
	}
);

sw_test(
	'block mode, limit 1: a parallel sign-in that lands between the question and the lock makes the sign-in ask again, and it is refused',
	function () {
		$user = sw_fixture_user( 'sw_spec_block', 'subscriber', 'sw_spec_block-pass-1' );
		WP_Session_Tokens::get_instance( $user->ID )->destroy_all();
		sw_spec_with_limit(
			'block',
			function () use ( $user ) {
				[ $signed, $left ] = sw_spec_sign_in_beside_parallel( $user, 'sw_spec_block-pass-1' );
				sw_assert( is_wp_error( $signed ), 'refused: the parallel session already uses the one allowed' );
				sw_assert_match( '/^session_warden_/', (string) $signed->get_error_code() );
				sw_assert_same( 2, sw_spec_requests(), 'engine requests: the first answer was dropped' );
				sw_assert_same( 1, count( $left ), 'sessions' );
				sw_assert_same( 'parallel sign-in', reset( $left )['ua'] ?? null, 'the parallel session is untouched' );
				sw_assert( ! ( new User_Lock() )->holds( $user->ID ), 'the lock is released' );
				WP_Session_Tokens::get_instance( $user->ID )->destroy_all();
			}
		);
	}
);

sw_test(
	'logout_oldest, limit 1: a parallel sign-in that lands between the question and the lock is ended by the sign-in, which keeps only its own session',
	function () {
		$user = sw_fixture_user( 'sw_spec_oldest', 'subscriber', 'sw_spec_oldest-pass-1' );
		WP_Session_Tokens::get_instance( $user->ID )->destroy_all();
		sw_spec_with_limit(
			'logout_oldest',
			function () use ( $user ) {
				[ $signed, $left ] = sw_spec_sign_in_beside_parallel( $user, 'sw_spec_oldest-pass-1' );
				sw_assert( $signed instanceof WP_User, 'signed in: ' . ( is_wp_error( $signed ) ? $signed->get_error_message() : '' ) );
				sw_assert_same( 1, count( $left ), 'sessions' );
				sw_assert( 'parallel sign-in' !== ( reset( $left )['ua'] ?? null ), 'the parallel (older) session was ended' );
				WP_Session_Tokens::get_instance( $user->ID )->destroy_all();
			}
		);
	}
);
