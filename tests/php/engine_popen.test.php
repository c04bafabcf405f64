<?php
/**
 * One-shot engine processes started with popen() (Engine_Popen): asked over a one-use socket in the run
 * directory, never left running, and proc_open() or the PHP runtime when that cannot work.
 */

use SessionWarden\Engine_Client;

/** A run directory path of this test's own (the engine creates it), and the filter pointing there. */
function sw_popen_run_dir( string $tag ): string {
	$dir = sys_get_temp_dir() . "/sw-popen-$tag-" . getmypid();
	add_filter( 'session_warden_run_dir', fn () => $dir, 99 );
	return $dir;
}

function sw_popen_cleanup( string $dir ): void {
	remove_all_filters( 'session_warden_run_dir', 99 );
	delete_site_option( Engine_Client::MODE_OPTION );
	array_map( 'unlink', glob( "$dir/*" ) ?: array() );
	if ( is_dir( $dir ) ) {
		rmdir( $dir );
	}
}

/** Engine processes whose command line names $dir. */
function sw_popen_processes( string $dir ): array {
	$found = array();
	foreach ( glob( '/proc/[0-9]*/cmdline' ) ?: array() as $file ) {
		$cmd = (string) @file_get_contents( $file );
		if ( str_contains( $cmd, 'session-warden-engine' ) && str_contains( $cmd, $dir ) ) {
			$found[] = $file;
		}
	}
	return $found;
}

const SW_POPEN_LOGIN = array( 'user' => array( 'id' => 1 ), 'now' => 100, 'attempt' => array( 'ip' => '192.0.2.1' ) );

sw_test(
	'pinned to process: the engine is started with popen and answers over a one-use socket in a private directory',
	function () {
		sw_require_engine();
		$dir = sw_popen_run_dir( 'ask' );
		try {
			update_site_option( Engine_Client::MODE_OPTION, 'process' );
			$client = Engine_Client::from_plugin();
			for ( $i = 0; $i < 3; $i++ ) {
				sw_assert_same( 'allow', $client->request( 'check_login', SW_POPEN_LOGIN )['action'] );
				sw_assert_same( Engine_Client::VIA_PROCESS, $client->last_via );
			}
			// Only `call --listen` creates the directory: proof the popen path answered.
			sw_assert( is_dir( $dir ), 'the engine created the run directory' );
			sw_assert_same( 0700, fileperms( $dir ) & 0777, 'the run directory is private' );
			SessionWarden\Engine_Popen::reap();
			sw_assert_same( array( "$dir/artifact.verified" ), glob( "$dir/*" ) ?: array(), 'no socket left behind, only the note that the artifact was verified' );
			sw_assert_same( array(), sw_popen_processes( $dir ), 'no engine process left' );
		} finally {
			sw_popen_cleanup( $dir );
		}
	}
);

sw_test(
	'a primed popen process is used by the next request, and one never asked is ended at once',
	function () {
		sw_require_engine();
		$dir = sw_popen_run_dir( 'prime' );
		try {
			update_site_option( Engine_Client::MODE_OPTION, 'process' );
			$client = Engine_Client::from_plugin();
			$client->prime();
			usleep( 100000 );
			sw_assert_same( 1, count( sw_popen_processes( $dir ) ), 'prime() started one engine' );
			sw_assert_same( 'allow', $client->request( 'check_login', SW_POPEN_LOGIN )['action'] );
			SessionWarden\Engine_Popen::reap();
			sw_assert_same( array(), sw_popen_processes( $dir ), 'the primed engine answered and exited' );

			$client->prime();
			usleep( 100000 );
			sw_assert_same( 1, count( sw_popen_processes( $dir ) ) );
			$t = microtime( true );
			Engine_Client::discard_primed();
			sw_assert( microtime( true ) - $t < 1.0, 'discarding does not wait for a timeout' );
			sw_assert_same( array(), sw_popen_processes( $dir ), 'a primed engine nobody asked is gone' );
			sw_assert_same( array(), glob( "$dir/*.sock" ) ?: array(), 'and its socket with it' );
		} finally {
			sw_popen_cleanup( $dir );
		}
	}
);

sw_test(
	'a run directory others can write is refused by the engine; the request is answered through proc_open',
	function () {
		sw_require_engine();
		$dir = sw_popen_run_dir( 'open' );
		try {
			mkdir( $dir );
			chmod( $dir, 0777 );
			update_site_option( Engine_Client::MODE_OPTION, 'process' );
			$client = Engine_Client::from_plugin();
			sw_assert_same( 'allow', $client->request( 'check_login', SW_POPEN_LOGIN )['action'] );
			sw_assert_same( Engine_Client::VIA_PROCESS, $client->last_via );
			sw_assert_same( array(), glob( "$dir/*" ) ?: array(), 'nothing was created in a directory others can write' );
		} finally {
			sw_popen_cleanup( $dir );
		}
	}
);

sw_test(
	'an engine that cannot be executed (no x bit): automatic mode falls back to the PHP runtime',
	function () {
		sw_require_engine();
		$engine = sys_get_temp_dir() . '/sw-popen-noexec-' . getmypid();
		$run    = "$engine-run";
		mkdir( $engine );
		try {
			foreach ( array( 'session-warden-engine', 'session-warden.cwasm', 'session-warden.wasm' ) as $f ) {
				copy( SessionWarden\PLUGIN_DIR . "engine/$f", "$engine/$f" );
			}
			chmod( "$engine/session-warden-engine", 0644 );
			$client = new Engine_Client( "$engine/session-warden-engine", "$engine/session-warden.cwasm", null, 2.0, '', $run );
			sw_assert_same( 'allow', $client->request( 'check_login', SW_POPEN_LOGIN )['action'] );
			sw_assert_same( Engine_Client::VIA_RUNTIME, $client->last_via );
			try {
				$client->request( 'version', array(), Engine_Client::VIA_PROCESS );
				sw_fail( 'a process that cannot start must be an error' );
			} catch ( SessionWarden\Engine_Error $e ) {
				sw_assert_same( 'spawn_failed', $e->error_code, $e->getMessage() );
			}
		} finally {
			array_map( 'unlink', glob( "$engine/*" ) ?: array() );
			rmdir( $engine );
			if ( is_dir( $run ) ) {
				rmdir( $run );
			}
		}
	}
);
