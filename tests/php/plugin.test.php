<?php
/**
 * The installed plugin, as WordPress sees it.
 */

use SessionWarden\Engine_Client;

sw_test(
	'the plugin is active and its autoloader finds Engine_Client',
	function () {
		global $sw_env;
		sw_assert( is_plugin_active( $sw_env['plugin']['main'] ), 'session-warden is not active: ' . implode( ',', get_option( 'active_plugins' ) ) );
		sw_assert( class_exists( Engine_Client::class ), 'SessionWarden\Engine_Client does not autoload' );
		$data = get_plugin_data( WP_PLUGIN_DIR . '/' . $sw_env['plugin']['main'], false, false );
		sw_assert_same( 'Session Warden', $data['Name'] );
		sw_assert_same( 'session-warden', $data['TextDomain'] );
		sw_assert_same( '8.1', $data['RequiresPHP'] );
	}
);

sw_test(
	'WordPress runs the version this site was built for',
	function () {
		global $sw_env;
		sw_assert_same( $sw_env['wp_version'], get_bloginfo( 'version' ) );
	}
);

sw_test(
	'the shipped engine/ is read-only, the binary executable, and matches SHA256SUMS',
	function () {
		global $sw_env;
		sw_require_engine();
		$dir   = $sw_env['engine']['dir'];
		$sums  = file( "$dir/SHA256SUMS", FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES );
		$names = array();
		foreach ( $sums as $line ) {
			sw_assert_match( '/^[0-9a-f]{64} [ *]\S+$/', $line, 'SHA256SUMS line' );
			[ $sum, $name ] = preg_split( '/ [ *]/', $line, 2 );
			$names[]        = $name;
			sw_assert_same( $sum, hash_file( 'sha256', "$dir/$name" ), "sha256 of $name" );
		}
		sort( $names );
		sw_assert_same( array( 'session-warden-engine', 'session-warden.cwasm', 'session-warden.wasm' ), $names );
		sw_assert_same( 0555, fileperms( "$dir/session-warden-engine" ) & 0777, 'engine binary mode' );
		sw_assert_same( 0444, fileperms( "$dir/session-warden.cwasm" ) & 0777, 'artifact mode' );
	}
);

sw_test(
	'uninstall.php does nothing unless WordPress is uninstalling the plugin',
	function () {
		global $sw_env;
		$file = escapeshellarg( WP_PLUGIN_DIR . '/session-warden/uninstall.php' );
		$out  = shell_exec( 'php -r ' . escapeshellarg( "define('ABSPATH', '/nowhere/'); include $file; echo 'reached';" ) . ' 2>&1' );
		sw_assert_same( '', (string) $out );
	}
);

sw_test(
	'user fixtures get the requested role and can log in',
	function () {
		$user = sw_fixture_user( 'fixture-editor', 'editor', 'fixture-pass-1' );
		sw_assert_same( array( 'editor' ), $user->roles );
		$again = sw_fixture_user( 'fixture-editor', 'author', 'fixture-pass-2' );
		sw_assert_same( $user->ID, $again->ID, 'the fixture is idempotent' );
		sw_assert_same( array( 'author' ), $again->roles );
		sw_assert( ! is_wp_error( wp_authenticate( 'fixture-editor', 'fixture-pass-2' ) ), 'new password works' );
		sw_assert( is_wp_error( wp_authenticate( 'fixture-editor', 'fixture-pass-1' ) ), 'old password refused' );
	}
);
