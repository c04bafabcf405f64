<?php
/**
 * Engine_Client against the real engine (daemon socket and one-shot process, inside WordPress) and
 * against fake engines for the failure paths.
 */

use SessionWarden\Engine_Client;
use SessionWarden\Engine_Error;

sw_test(
	'the engine answers "version" through the daemon socket',
	function () {
		global $sw_env;
		sw_require_engine();
		sw_assert( $sw_env['engine']['daemon'], 'the test bed did not start the engine daemon' );
		sw_assert_match( '/^session-warden\S* \d+\.\d+\.\d+/', Engine_Client::from_plugin()->version( Engine_Client::VIA_SOCKET ) );
	}
);

sw_test(
	'the engine answers "version" through a one-shot process, the same as the daemon',
	function () {
		sw_require_engine();
		$client  = Engine_Client::from_plugin();
		$version = $client->version( Engine_Client::VIA_PROCESS );
		sw_assert_match( '/^session-warden\S* \d+\.\d+\.\d+/', $version );
		sw_assert_same( $client->version( Engine_Client::VIA_SOCKET ), $version );
	}
);

sw_test(
	'an unknown op comes back as an Engine_Error with the engine\'s code',
	function () {
		sw_require_engine();
		foreach ( array( Engine_Client::VIA_SOCKET, Engine_Client::VIA_PROCESS ) as $via ) {
			$e = sw_assert_throws( Engine_Error::class, fn() => Engine_Client::from_plugin()->request( 'no_such_op', array(), $via ) );
			sw_assert_same( 'unknown_op', $e->error_code, $via );
		}
	}
);

/** Writes an executable fake engine (a shell script) and returns its path. */
function sw_fake_engine( string $body ): string {
	$dir = sys_get_temp_dir() . '/sw-fake-engine-' . getmypid() . '-' . bin2hex( random_bytes( 4 ) );
	mkdir( $dir );
	file_put_contents( "$dir/engine", "#!/bin/sh\n$body\n" );
	chmod( "$dir/engine", 0755 );
	file_put_contents( "$dir/artifact.cwasm", '' );
	register_shutdown_function( fn() => array_map( 'unlink', glob( "$dir/*" ) ) && rmdir( $dir ) );
	return "$dir/engine";
}

sw_test(
	'one-shot process: argv, one JSON request line on stdin, "ok" value returned',
	function () {
		// Echo the request back inside the reply, and the argv.
		$bin    = sw_fake_engine( 'read line; printf \'{"ok":{"argv":"%s","req":%s}}\n\' "$*" "$line"' );
		$client = new Engine_Client( $bin, dirname( $bin ) . '/artifact.cwasm' );
		$ok     = $client->request( 'echo', array( 'a' => 1 ) );
		sw_assert_same( 'call --artifact ' . dirname( $bin ) . '/artifact.cwasm', $ok['argv'] );
		sw_assert_same(
			array(
				'v'    => 1,
				'id'   => 1,
				'op'   => 'echo',
				'args' => array( 'a' => 1 ),
			),
			$ok['req']
		);
		sw_assert_same( 2, $client->request( 'echo' )['req']['id'], 'ids increase' );
		sw_assert_same( '{}', json_encode( (object) array() ), 'empty args are an object' );
	}
);

sw_test(
	'one-shot process: timeout, exit status, error replies, garbage, missing binary',
	function () {
		$slow = sw_fake_engine( 'sleep 5' );
		$t0   = microtime( true );
		$e    = sw_assert_throws( Engine_Error::class, fn() => ( new Engine_Client( $slow, dirname( $slow ) . '/artifact.cwasm', null, 0.3 ) )->version() );
		sw_assert_same( 'timeout', $e->error_code );
		sw_assert( microtime( true ) - $t0 < 2.0, 'the timeout is enforced' );

		$cases = array(
			'echo boom >&2; exit 3'                                  => 'process_failed',
			'echo \'{"error":{"code":"bad_args","message":"no"}}\''  => 'bad_args',
			'echo not-json'                                          => 'bad_reply',
			'echo \'{"something":1}\''                               => 'bad_reply',
			'echo \'{"ok":42}\''                                     => 'bad_reply', // version must be a string
		);
		foreach ( $cases as $script => $code ) {
			$bin = sw_fake_engine( $script );
			$e   = sw_assert_throws( Engine_Error::class, fn() => ( new Engine_Client( $bin, dirname( $bin ) . '/artifact.cwasm' ) )->version() );
			sw_assert_same( $code, $e->error_code, $script );
		}
		$e = sw_assert_throws( Engine_Error::class, fn() => ( new Engine_Client( '/nonexistent/engine', '/nonexistent/a.cwasm' ) )->version() );
		sw_assert_same( 'engine_missing', $e->error_code );
	}
);

sw_test(
	'socket: an unreachable daemon is an error when asked for, and falls back to a process otherwise',
	function () {
		$bin    = sw_fake_engine( 'read line; echo \'{"ok":"fake 1.0.0"}\'' );
		$client = new Engine_Client( $bin, dirname( $bin ) . '/artifact.cwasm', '/nonexistent/engine.sock' );
		$e      = sw_assert_throws( Engine_Error::class, fn() => $client->version( Engine_Client::VIA_SOCKET ) );
		sw_assert_same( 'daemon_unreachable', $e->error_code );
		sw_assert_same( 'fake 1.0.0', $client->version() );
	}
);

/** Lines in a fake engine's start log (one line per process started). */
function sw_fake_starts( string $bin ): int {
	$log = dirname( $bin ) . '/starts';
	return is_file( $log ) ? count( file( $log ) ) : 0;
}

sw_test(
	'prime(): the one-shot process starts ahead of its request, the next request with the same command line takes it, and only one is kept',
	function () {
		$bin = sw_fake_engine( 'echo $$ >> "$(dirname "$0")/starts"; read line; echo \'{"ok":"fake 1.0.0"}\'' );
		$art = dirname( $bin ) . '/artifact.cwasm';

		$client = new Engine_Client( $bin, $art ); // Automatic, no daemon socket: processes are the transport.
		$client->prime();
		$client->prime(); // A second prime keeps the first process.
		for ( $i = 0; $i < 300 && 0 === sw_fake_starts( $bin ); $i++ ) {
			usleep( 10000 );
		}
		sw_assert_same( 1, sw_fake_starts( $bin ), 'started before any request, once' );
		sw_assert_same( 'fake 1.0.0', ( new Engine_Client( $bin, $art ) )->version(), 'another client with the same command line' );
		sw_assert_same( 1, sw_fake_starts( $bin ), 'the request took the primed process' );
		sw_assert_same( 'fake 1.0.0', $client->version() );
		sw_assert_same( 2, sw_fake_starts( $bin ), 'nothing primed any more: the next request starts its own' );

		// A different command line (here: a country database) does not take it; it is killed at shutdown.
		$client->prime();
		$geo = new Engine_Client( $bin, $art, null, 2.0, '/nonexistent/geo.mmdb' );
		sw_assert_same( 'fake 1.0.0', $geo->version() );
		for ( $i = 0; $i < 300 && sw_fake_starts( $bin ) < 4; $i++ ) {
			usleep( 10000 );
		}
		sw_assert_same( 4, sw_fake_starts( $bin ), 'one primed, one started for the other command line' );
		Engine_Client::discard_primed();

		// With a daemon socket (it answers; a process is only its fallback) nothing is started ahead.
		( new Engine_Client( $bin, $art, '/nonexistent/engine.sock' ) )->prime();
		usleep( 200000 );
		sw_assert_same( 4, sw_fake_starts( $bin ), 'no process primed while a socket is configured' );
	}
);

sw_test(
	'prime(): the timeout counts from the request, it still applies, failures are reported as without priming, and an unused process is killed and reaped',
	function () {
		// Primed long before its request: still answered, though the wait exceeds the 0.3 s timeout.
		$bin    = sw_fake_engine( 'read line; echo \'{"ok":"fake 1.0.0"}\'' );
		$client = new Engine_Client( $bin, dirname( $bin ) . '/artifact.cwasm', null, 0.3 );
		$client->prime();
		usleep( 600000 );
		sw_assert_same( 'fake 1.0.0', $client->version() );

		// A primed process that never answers: the request times out.
		$slow   = sw_fake_engine( 'read line; sleep 5' );
		$client = new Engine_Client( $slow, dirname( $slow ) . '/artifact.cwasm', null, 0.3 );
		$client->prime();
		$t0 = microtime( true );
		$e  = sw_assert_throws( Engine_Error::class, fn() => $client->version() );
		sw_assert_same( 'timeout', $e->error_code );
		sw_assert( microtime( true ) - $t0 < 2.0, 'the timeout is enforced' );

		// A primed process that failed at start-up: the same error as a process started for the request.
		$broken = sw_fake_engine( 'echo boom >&2; exit 3' );
		$client = new Engine_Client( $broken, dirname( $broken ) . '/artifact.cwasm' );
		$client->prime();
		usleep( 200000 );
		$e = sw_assert_throws( Engine_Error::class, fn() => $client->version() );
		sw_assert_same( 'process_failed', $e->error_code );
		sw_assert_match( '/boom/', $e->getMessage() );

		// Nobody asks: discard_primed() (registered for shutdown) kills and reaps it, no zombie is left.
		$idle = sw_fake_engine( 'echo $$ > "$(dirname "$0")/pid"; read line; echo \'{"ok":"late"}\'' );
		( new Engine_Client( $idle, dirname( $idle ) . '/artifact.cwasm' ) )->prime();
		$pid_file = dirname( $idle ) . '/pid';
		for ( $i = 0; $i < 300 && ! is_file( $pid_file ); $i++ ) {
			usleep( 10000 );
		}
		$pid = (int) file_get_contents( $pid_file );
		sw_assert( $pid > 0 && is_dir( "/proc/$pid" ), 'the primed process runs' );
		Engine_Client::discard_primed();
		clearstatcache();
		sw_assert( ! is_dir( "/proc/$pid" ), 'killed and reaped (no zombie left)' );
		Engine_Client::discard_primed(); // Nothing primed: a no-op.

		// No process can start: prime() stays quiet, the request reports it as before.
		$missing = new Engine_Client( '/nonexistent/engine', '/nonexistent/a.cwasm' );
		$missing->prime();
		$e = sw_assert_throws( Engine_Error::class, fn() => $missing->version() );
		sw_assert_same( 'engine_missing', $e->error_code );
	}
);
