<?php
/**
 * Loads the real WordPress of a test-bed site into this CLI process. Require it at file scope (WordPress
 * defines globals). The site comes from SW_ENV (the env.json written by tests/env/up.sh).
 */

$sw_env_file = getenv( 'SW_ENV' ) ?: '/tmp/session-warden/site-8881/env.json';
$sw_env      = is_file( $sw_env_file ) ? json_decode( (string) file_get_contents( $sw_env_file ), true ) : null;
if ( ! is_array( $sw_env ) ) {
	fwrite( STDERR, "no test-bed site at $sw_env_file: start one with tests/env/up.sh or set SW_ENV\n" );
	exit( 2 );
}
$_SERVER['HTTP_HOST']   = '127.0.0.1:' . $sw_env['port'];
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
require $sw_env['site'] . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
require_once ABSPATH . 'wp-admin/includes/user.php';
