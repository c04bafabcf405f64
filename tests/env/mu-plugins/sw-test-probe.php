<?php
/**
 * Plugin Name: Session Warden test bed: engine probe
 * Description: Test bed only, never shipped. For an administrator, /?sw_test_probe=engine answers with the
 * engine version as seen by the web server's own user, through the daemon socket and through a one-shot process.
 * /?sw_test_probe=sleep&ms=N sleeps up to 2 s and answers with the PHP process id (to prove parallel serving).
 */

if ( isset( $_GET['sw_test_probe'] ) && 'sleep' === $_GET['sw_test_probe'] ) { // phpcs:ignore WordPress.Security.NonceVerification
	usleep( 1000 * min( 2000, max( 0, (int) ( $_GET['ms'] ?? 0 ) ) ) );
	header( 'Content-Type: application/json' );
	echo json_encode( array( 'pid' => getmypid() ) );
	exit;
}

add_action(
	'init',
	static function () {
		if ( ! isset( $_GET['sw_test_probe'] ) || 'engine' !== $_GET['sw_test_probe'] ) { // phpcs:ignore WordPress.Security.NonceVerification
			return;
		}
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_send_json( array( 'error' => 'forbidden' ), 403 );
		}
		if ( ! class_exists( \SessionWarden\Engine_Client::class ) ) {
			wp_send_json( array( 'error' => 'Session Warden is not active' ), 500 );
		}
		$out    = array(
			'user'    => function_exists( 'posix_geteuid' ) ? ( posix_getpwuid( posix_geteuid() )['name'] ?? '' ) : '',
			'sapi'    => PHP_SAPI,
			'opcache' => function_exists( 'opcache_get_status' ) && ! empty( opcache_get_status( false )['opcache_enabled'] ),
		);
		$client = \SessionWarden\Engine_Client::from_plugin();
		foreach ( array( 'socket', 'process' ) as $via ) {
			try {
				$out[ $via ] = array( 'version' => $client->version( $via ) );
			} catch ( \Throwable $e ) {
				$out[ $via ] = array(
					'error' => $e->getMessage(),
					'code'  => $e instanceof \SessionWarden\Engine_Error ? $e->error_code : get_class( $e ),
				);
			}
		}
		wp_send_json( $out );
	}
);

/*
 * /?sw_test_probe=magic&login=NAME signs NAME in without a password, the way a magic link, SSO callback or
 * second-factor completion does (wp_set_auth_cookie directly), and answers {"cookies": bool}.
 */
add_action(
	'init',
	static function () {
		if ( ! isset( $_GET['sw_test_probe'], $_GET['login'] ) || 'magic' !== $_GET['sw_test_probe'] ) { // phpcs:ignore WordPress.Security.NonceVerification
			return;
		}
		$user = get_user_by( 'login', sanitize_user( wp_unslash( $_GET['login'] ) ) ); // phpcs:ignore WordPress.Security.NonceVerification
		if ( ! $user ) {
			wp_send_json( array( 'error' => 'no such user' ), 404 );
		}
		wp_set_auth_cookie( $user->ID, false );
		$sent = array_filter( headers_list(), static fn ( $h ) => str_starts_with( strtolower( $h ), 'set-cookie: wordpress_logged_in_' ) );
		wp_send_json( array( 'cookies' => (bool) $sent ) );
	}
);
