<?php
/**
 * The engine transport picks itself (daemon → process → PHP runtime) unless the site owner pins one.
 */

use SessionWarden\Engine_Client;

sw_test(
	'automatic: the daemon answers when it runs',
	function () {
		delete_site_option( Engine_Client::MODE_OPTION );
		$client = Engine_Client::from_plugin();
		sw_assert_same( 'session-warden-policy 0.1.0', substr( $client->version(), 0, 27 ) );
		sw_assert_same( Engine_Client::VIA_SOCKET, $client->last_via );
	}
);

sw_test(
	'pinned: process and runtime are used even though the daemon runs; an unknown pin means automatic',
	function () {
		try {
			foreach ( array( 'process' => Engine_Client::VIA_PROCESS, 'runtime' => Engine_Client::VIA_RUNTIME, 'bogus' => Engine_Client::VIA_SOCKET ) as $pin => $expected ) {
				update_site_option( Engine_Client::MODE_OPTION, $pin );
				$client = Engine_Client::from_plugin();
				$reply  = $client->request( 'check_login', array( 'user' => array( 'id' => 1 ), 'now' => 100, 'attempt' => array( 'ip' => '192.0.2.1' ) ) );
				sw_assert_same( 'allow', $reply['action'], "a verdict through $pin" );
				sw_assert_same( $expected, $client->last_via, "pin $pin" );
			}
		} finally {
			delete_site_option( Engine_Client::MODE_OPTION );
		}
	}
);

sw_test(
	'automatic: with no binary that can run, the PHP runtime answers',
	function () {
		$dir = sys_get_temp_dir() . '/sw-mode-' . getmypid();
		mkdir( $dir );
		try {
			copy( SessionWarden\PLUGIN_DIR . 'engine/session-warden.wasm', "$dir/session-warden.wasm" );
			// No binary, no daemon: the component alone.
			$client = new Engine_Client( "$dir/session-warden-engine", "$dir/session-warden.cwasm", "$dir/no.sock" );
			$reply  = $client->request( 'describe_ua', array( 'ua' => 'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0' ) );
			sw_assert_same( 'Firefox', $reply['browser'] );
			sw_assert_same( Engine_Client::VIA_RUNTIME, $client->last_via );
			unlink( "$dir/session-warden.wasm" );
			try {
				( new Engine_Client( "$dir/session-warden-engine", "$dir/session-warden.cwasm", "$dir/no.sock" ) )->version();
				sw_fail( 'no engine at all must be an error' );
			} catch ( SessionWarden\Engine_Error $e ) {
				sw_assert_same( 'engine_missing', $e->error_code );
			}
		} finally {
			array_map( 'unlink', glob( "$dir/*" ) ?: array() );
			rmdir( $dir );
		}
	}
);
