<?php
/**
 * User_Lock against the site's MariaDB, with a second database connection standing in for a parallel
 * request (or another web server sharing the database).
 */

use SessionWarden\User_Lock;

/** A second, independent connection to the test bed's database (its own lock owner). */
function sw_second_db(): mysqli {
	global $sw_env;
	$db = new mysqli( 'localhost', $sw_env['db']['user'], $sw_env['db']['password'], $sw_env['db']['name'], 0, $sw_env['db']['socket'] );
	return $db;
}

/** Runs one scalar query on the second connection. */
function sw_second_scalar( mysqli $db, string $sql ) {
	$row = $db->query( $sql )->fetch_row();
	return null === $row[0] ? null : (int) $row[0];
}

function sw_lock_sql( mysqli $db, string $fn, string $name, ?float $timeout = null ): ?int {
	$name = "'" . $db->real_escape_string( $name ) . "'";
	return sw_second_scalar( $db, null === $timeout ? "SELECT $fn($name)" : "SELECT $fn($name, $timeout)" );
}

sw_test(
	'lock names: per database, base prefix and user, at most 64 characters',
	function () {
		global $wpdb;
		$user = sw_fixture_user( 'sw_lock_a', 'subscriber' );
		$name = User_Lock::name( $user->ID );
		sw_assert_same( User_Lock::name_for( $wpdb->dbname, $wpdb->base_prefix, $user->ID ), $name );
		sw_assert_match( '/^session_warden:[0-9a-f]{20}:' . $user->ID . '$/', $name );
		sw_assert( strlen( User_Lock::name_for( str_repeat( 'd', 64 ), str_repeat( 'p', 64 ), PHP_INT_MAX ) ) <= 64, 'fits MySQL\'s 64-character limit' );
		sw_assert( User_Lock::name_for( 'wp', 'wp_', 1 ) !== User_Lock::name_for( 'wp2', 'wp_', 1 ), 'another database' );
		sw_assert( User_Lock::name_for( 'wp', 'wp_', 1 ) !== User_Lock::name_for( 'wp', 'site2_', 1 ), 'another prefix' );
		sw_assert( User_Lock::name_for( 'wp', 'wp_', 1 ) !== User_Lock::name_for( 'wp', 'wp_', 11 ), 'another user' );
	}
);

sw_test(
	'while held here, another connection\'s GET_LOCK times out; after with_lock returns it succeeds',
	function () {
		$user   = sw_fixture_user( 'sw_lock_a', 'subscriber' );
		$name   = User_Lock::name( $user->ID );
		$second = sw_second_db();
		$seen   = null;
		$result = ( new User_Lock() )->with_lock(
			$user->ID,
			function ( $id ) use ( $second, $name, &$seen ) {
				$t0   = microtime( true );
				$seen = array( $id, sw_lock_sql( $second, 'GET_LOCK', $name, 0.3 ), microtime( true ) - $t0 );
				return 'done';
			}
		);
		sw_assert_same( 'done', $result, 'with_lock passes the return value through' );
		sw_assert_same( $user->ID, $seen[0], 'callback gets the user id' );
		sw_assert_same( 0, $seen[1], 'GET_LOCK from the second connection while held' );
		sw_assert( $seen[2] >= 0.25, 'the second connection really waited' );
		sw_assert_same( null, sw_lock_sql( $second, 'IS_USED_LOCK', $name ), 'released after with_lock' );
		sw_assert_same( 1, sw_lock_sql( $second, 'GET_LOCK', $name, 0.3 ), 'GET_LOCK from the second connection after release' );
		sw_assert_same( 1, sw_lock_sql( $second, 'RELEASE_LOCK', $name ) );
		$second->close();
	}
);

sw_test(
	'held elsewhere: with_lock waits the filtered timeout, does not run, returns session_warden_lock_timeout',
	function () {
		$user   = sw_fixture_user( 'sw_lock_a', 'subscriber' );
		$other  = sw_fixture_user( 'sw_lock_b', 'subscriber' );
		$name   = User_Lock::name( $user->ID );
		$second = sw_second_db();
		sw_assert_same( 1, sw_lock_sql( $second, 'GET_LOCK', $name, 0 ) );
		$timeout = fn ( $t, $id ) => 0.4;
		add_filter( 'session_warden_lock_timeout', $timeout, 10, 2 );
		try {
			$ran    = false;
			$t0     = microtime( true );
			$result = ( new User_Lock() )->with_lock(
				$user->ID,
				function () use ( &$ran ) {
					$ran = true;
				}
			);
			$waited = microtime( true ) - $t0;
			sw_assert( is_wp_error( $result ), 'a WP_Error' );
			sw_assert_same( 'session_warden_lock_timeout', $result->get_error_code() );
			sw_assert_match( '/try again/', $result->get_error_message() );
			sw_assert( ! $ran, 'the callback did not run without the lock' );
			sw_assert( $waited >= 0.35 && $waited < 2.0, "waited the filtered timeout ($waited s)" );

			// Another user's lock is independent of this one.
			sw_assert_same( 'other', ( new User_Lock() )->with_lock( $other->ID, fn () => 'other' ) );

			sw_assert_same( 1, sw_lock_sql( $second, 'RELEASE_LOCK', $name ) );
			sw_assert_same( 'got it', ( new User_Lock() )->with_lock( $user->ID, fn () => 'got it' ), 'after the holder releases' );
		} finally {
			remove_filter( 'session_warden_lock_timeout', $timeout, 10 );
			$second->close();
		}
	}
);

sw_test(
	'the lock is released when the callback throws, and nesting releases only at the outermost level',
	function () {
		$user   = sw_fixture_user( 'sw_lock_a', 'subscriber' );
		$name   = User_Lock::name( $user->ID );
		$second = sw_second_db();
		$lock   = new User_Lock();

		sw_assert_throws(
			RuntimeException::class,
			fn () => $lock->with_lock(
				$user->ID,
				function () {
					throw new RuntimeException( 'boom' );
				}
			)
		);
		sw_assert_same( null, sw_lock_sql( $second, 'IS_USED_LOCK', $name ), 'released after an exception' );

		$inner_held = null;
		$after_inner = null;
		$lock->with_lock(
			$user->ID,
			function () use ( $lock, $user, $second, $name, &$inner_held, &$after_inner ) {
				$lock->with_lock(
					$user->ID,
					function () use ( $second, $name, &$inner_held ) {
						$inner_held = sw_lock_sql( $second, 'GET_LOCK', $name, 0.1 );
					}
				);
				$after_inner = sw_lock_sql( $second, 'GET_LOCK', $name, 0.1 );
			}
		);
		sw_assert_same( 0, $inner_held, 'held inside the nested call' );
		sw_assert_same( 0, $after_inner, 'still held after the nested call returned' );
		sw_assert_same( null, sw_lock_sql( $second, 'IS_USED_LOCK', $name ), 'released after the outer call' );
		$second->close();
	}
);

sw_test(
	'a PHP process that loads WordPress through the same bootstrap is blocked the same way',
	function () {
		global $sw_env;
		$user  = sw_fixture_user( 'sw_lock_a', 'subscriber' );
		$child = <<<'PHP'
require getenv( 'SW_BOOTSTRAP' );
add_filter( 'session_warden_lock_timeout', fn () => 0.3 );
$r = ( new SessionWarden\User_Lock() )->with_lock( (int) getenv( 'SW_USER' ), fn () => 'ran' );
echo is_wp_error( $r ) ? $r->get_error_code() : $r;
PHP;
		$env   = array(
			'SW_ENV'       => getenv( 'SW_ENV' ) ?: $sw_env['root'] . '/env.json',
			'SW_BOOTSTRAP' => __DIR__ . '/bootstrap.php',
			'SW_USER'      => (string) $user->ID,
			'PATH'         => getenv( 'PATH' ),
		);
		$run   = function () use ( $child, $env ): string {
			$proc = proc_open( array( PHP_BINARY, '-r', $child ), array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes, null, $env );
			$out  = stream_get_contents( $pipes[1] );
			$err  = stream_get_contents( $pipes[2] );
			proc_close( $proc );
			return trim( $out ) . ( '' !== trim( $err ) ? ' / stderr: ' . trim( $err ) : '' );
		};
		$held = ( new User_Lock() )->with_lock( $user->ID, $run );
		sw_assert_same( 'session_warden_lock_timeout', $held, 'child while this process holds the lock' );
		sw_assert_same( 'ran', $run(), 'child after release' );
	}
);
