<?php
/**
 * Notifications (which events make which e-mail, the settings switches, the message, the filter) and
 * Live_Session's idle deadline, inside the real WordPress with the real engine. Mail is caught at
 * `pre_wp_mail`, the last step before the transport.
 */

use SessionWarden\Events;
use SessionWarden\Live_Session;
use SessionWarden\Notifications;
use SessionWarden\Session_Record;
use SessionWarden\Session_Store;
use SessionWarden\Settings;

/** Runs $fn with the given settings stored, then restores the previous ones. */
function sw_live_with_settings( array $raw, callable $fn ) {
	$before = get_option( Settings::OPTION );
	$plan   = get_option( Settings::PLAN_OPTION );
	$saved  = Settings::save( $raw );
	sw_assert( ! is_wp_error( $saved ), 'settings saved: ' . ( is_wp_error( $saved ) ? $saved->get_error_message() : '' ) );
	try {
		return $fn();
	} finally {
		false === $before ? delete_option( Settings::OPTION ) : update_option( Settings::OPTION, $before );
		false === $plan ? delete_option( Settings::PLAN_OPTION ) : update_option( Settings::PLAN_OPTION, $plan );
	}
}

/** Mail wp_mail() was asked to send while $fn ran. */
function sw_live_capture_mail( callable $fn ): array {
	$sent    = array();
	$capture = static function ( $return, $atts ) use ( &$sent ) {
		$sent[] = $atts;
		return true;
	};
	add_filter( 'pre_wp_mail', $capture, 0, 2 );
	try {
		$fn();
	} finally {
		remove_filter( 'pre_wp_mail', $capture, 0 );
	}
	return $sent;
}

sw_test(
	'which events call for which e-mail',
	static function () {
		sw_assert_same( Notifications::LIMIT_ENDED, Notifications::kind( Events::SESSION_ENDED, 'limit_user' ) );
		sw_assert_same( Notifications::LIMIT_ENDED, Notifications::kind( Events::SESSION_ENDED, 'limit_device_class' ) );
		sw_assert_same( Notifications::LIMIT_ENDED, Notifications::kind( Events::SESSION_ENDED, 'max_ips' ) );
		sw_assert_same( Notifications::FLAGGED, Notifications::kind( Events::FLAG_RAISED, 'ip_shift' ) );
		foreach ( array( 'idle', 'by_user', 'by_admin', 'epoch', 'password_change', 'ip_changed', 'expired' ) as $reason ) {
			sw_assert_same( null, Notifications::kind( Events::SESSION_ENDED, $reason ), $reason );
		}
		sw_assert_same( null, Notifications::kind( Events::SESSION_CREATED, '' ) );
		sw_assert_same( null, Notifications::kind( Events::LOGIN_BLOCKED, 'limit_user' ) );
	}
);

sw_test(
	'e-mails follow the notifications switches; one message per user and kind lists every session',
	static function () {
		$user = sw_fixture_user( 'live-php-mail', 'subscriber' );
		Notifications::reset();
		$event = static fn ( string $type, string $reason, string $ip ) => array(
			'id'         => 0,
			'created_at' => 1700000000,
			'site_id'    => 1,
			'user_id'    => $user->ID,
			'type'       => $type,
			'reason'     => $reason,
			'verifier'   => str_repeat( 'a', 64 ),
			'ip'         => $ip,
			'country'    => 'DE',
			'device'     => 'Firefox 127 on Linux',
			'data'       => null,
		);

		$off = sw_live_capture_mail(
			static function () use ( $event ) {
				Notifications::event( Events::SESSION_ENDED, $event( Events::SESSION_ENDED, 'limit_user', '203.0.113.1' ) );
				Notifications::flush();
			}
		);
		sw_assert_same( array(), $off, 'off by default' );

		sw_live_with_settings(
			array( 'notifications' => array( 'limit_ended' => true ) ),
			static function () use ( $event, $user ) {
				$sent = sw_live_capture_mail(
					static function () use ( $event ) {
						Notifications::event( Events::SESSION_ENDED, $event( Events::SESSION_ENDED, 'limit_user', '203.0.113.1' ) );
						Notifications::event( Events::SESSION_ENDED, $event( Events::SESSION_ENDED, 'limit_ip', '203.0.113.2' ) );
						Notifications::event( Events::SESSION_ENDED, $event( Events::SESSION_ENDED, 'idle', '203.0.113.3' ) );
						Notifications::event( Events::FLAG_RAISED, $event( Events::FLAG_RAISED, 'ip_shift', '203.0.113.4' ) );
						Notifications::flush();
					}
				);
				sw_assert_same( 1, count( $sent ), 'one message for the two limit endings; idle and the flag (off) send nothing' );
				sw_assert_same( $user->user_email, $sent[0]['to'] );
				sw_assert_match( '/Some of your sessions were signed out/', $sent[0]['subject'] );
				sw_assert_match( '/IP address: 203\.0\.113\.1.*IP address: 203\.0\.113\.2/s', $sent[0]['message'] );
				sw_assert_match( '/too many sessions from one network address/', $sent[0]['message'] );
				sw_assert_match( '/Device: Firefox 127 on Linux/', $sent[0]['message'] );
				sw_assert_match( '/Country: .*DE/', $sent[0]['message'] );
				sw_assert( ! str_contains( $sent[0]['message'], '203.0.113.3' ), 'the idle ending is not in it' );
				sw_assert( ! str_contains( $sent[0]['message'], str_repeat( 'a', 64 ) ), 'no verifier in the mail' );

				// The filter can rewrite or stop a message.
				$rewrite = static function ( $email, $kind ) {
					$email['subject'] = 'custom ' . $kind;
					return $email;
				};
				add_filter( 'session_warden_email', $rewrite, 10, 2 );
				$sent = sw_live_capture_mail(
					static function () use ( $event ) {
						Notifications::event( Events::SESSION_ENDED, $event( Events::SESSION_ENDED, 'max_ips', '203.0.113.5' ) );
						Notifications::flush();
					}
				);
				remove_filter( 'session_warden_email', $rewrite, 10 );
				sw_assert_same( 'custom limit_ended', $sent[0]['subject'] ?? null );
				add_filter( 'session_warden_email', '__return_false' );
				$sent = sw_live_capture_mail(
					static function () use ( $event ) {
						Notifications::event( Events::SESSION_ENDED, $event( Events::SESSION_ENDED, 'max_ips', '203.0.113.6' ) );
						Notifications::flush();
					}
				);
				remove_filter( 'session_warden_email', '__return_false' );
				sw_assert_same( array(), $sent, 'suppressed' );
			}
		);
		Notifications::reset();
	}
);

sw_test(
	'the idle deadline comes from the engine, only with idle_warning on',
	static function () {
		$user = sw_fixture_user( 'live-php-idle', 'editor' );
		wp_set_current_user( $user->ID );
		$manager = WP_Session_Tokens::get_instance( $user->ID );
		$token   = $manager->create( time() + DAY_IN_SECONDS );
		$store   = new Session_Store();
		$record  = $store->get( $user->ID, $store->verifier_for_token( $token ) );
		$record['login']               = time() - 200;
		$record[ Session_Record::KEY ] = array( 'last_activity' => time() - 100 );
		$store->update( $user->ID, $store->verifier_for_token( $token ), $record );
		// wp_get_session_token() reads the token from the logged_in cookie, as in a signed-in request.
		$_COOKIE[ LOGGED_IN_COOKIE ] = wp_generate_auth_cookie( $user->ID, time() + DAY_IN_SECONDS, 'logged_in', $token );
		try {
			sw_assert_same( null, Live_Session::deadline(), 'no idle_warning: nothing to ask' );
			$deadline = sw_live_with_settings(
				array(
					'roles'        => array( array( 'role' => 'editor', 'rule' => array( 'idle_timeout' => 600 ) ) ),
					'idle_warning' => 120,
				),
				static fn () => Live_Session::deadline()
			);
			sw_assert( is_array( $deadline ), 'a deadline' );
			$last = time() - 100;
			sw_assert( abs( $deadline['ends'] - ( $last + 600 ) ) <= 2, 'ends = last activity + idle timeout: ' . wp_json_encode( $deadline ) );
			sw_assert_same( $deadline['ends'] - 120, $deadline['warn'] );
			$none = sw_live_with_settings(
				array( 'idle_warning' => 120 ),
				static fn () => Live_Session::deadline()
			);
			sw_assert_same( array( 0, 0 ), array( $none['ends'], $none['warn'] ), 'no idle timeout for this user: never' );
		} finally {
			unset( $_COOKIE[ LOGGED_IN_COOKIE ] );
			$manager->destroy_all();
			wp_set_current_user( 0 );
		}
	}
);

/** The settings object a page view hands the live script (the inline `window.sessionWardenLive = …;`). */
function sw_live_page_config(): array {
	wp_deregister_script( Live_Session::HANDLE );
	wp_deregister_style( Live_Session::HANDLE );
	Live_Session::enqueue_admin();
	$before = (array) wp_scripts()->get_data( Live_Session::HANDLE, 'before' );
	$inline = (string) end( $before );
	sw_assert( 1 === preg_match( '/^window\.sessionWardenLive = (\{.*\});$/s', $inline, $m ), 'inline settings: ' . $inline );
	return json_decode( $m[1], true );
}

sw_test(
	'a page that cannot warn carries no dialog; the first heartbeat reply with a deadline brings it, the signed-out one the login screen',
	static function () {
		$user = sw_fixture_user( 'live-php-dialog', 'editor' );
		wp_set_current_user( $user->ID );
		$manager = WP_Session_Tokens::get_instance( $user->ID );
		$token   = $manager->create( time() + DAY_IN_SECONDS );
		$_COOKIE[ LOGGED_IN_COOKIE ] = wp_generate_auth_cookie( $user->ID, time() + DAY_IN_SECONDS, 'logged_in', $token );
		$asks = array( Live_Session::KEY => array( 'url' => admin_url(), 'dialog' => 1 ) );
		try {
			// Idle warning off: only the user and the key; heartbeats bring no dialog even when asked.
			$page = sw_live_page_config();
			sw_assert_same( array( 'key', 'userId', 'deadline' ), array_keys( $page ) );
			sw_assert( wp_script_is( Live_Session::HANDLE, 'enqueued' ), 'the script is enqueued' );
			sw_assert( ! wp_style_is( Live_Session::HANDLE, 'enqueued' ), 'the dialog\'s stylesheet is not: the script loads it when the dialog is due' );
			sw_assert_same( array( Live_Session::KEY, $user->ID, null ), array( $page['key'], $page['userId'], $page['deadline'] ) );
			$reply = Live_Session::heartbeat( array(), $asks )[ Live_Session::KEY ];
			sw_assert_same( null, $reply['deadline'] );
			sw_assert( ! isset( $reply['dialog'] ), 'no deadline, no dialog' );

			sw_live_with_settings(
				array(
					'roles'        => array( array( 'role' => 'editor', 'rule' => array( 'idle_timeout' => 600 ) ) ),
					'idle_warning' => 120,
				),
				static function () use ( $asks, $user ) {
					// A page loaded now has its deadline and everything the dialog needs.
					$page = sw_live_page_config();
					sw_assert( is_array( $page['deadline'] ), 'a deadline' );
					$dialog = Live_Session::dialog();
					foreach ( $dialog as $key => $value ) {
						sw_assert_same( $value, $page[ $key ], $key );
					}
					sw_assert_same( 'Stay signed in', $page['text']['stay'] );
					sw_assert_match( '#/session-warden/assets/live/live\.css\?ver=#', $page['css'] );
					sw_assert( wp_verify_nonce( $page['nonce'], Live_Session::STAY_ACTION ) > 0, 'the Stay nonce verifies' );
					sw_assert_same( wp_logout_url(), $page['logoutUrl'] );
					sw_assert_same( admin_url( 'admin-ajax.php', 'relative' ), $page['ajaxUrl'] );

					// An older page asks in its heartbeat and gets the same; a page that has it does not ask.
					$reply = Live_Session::heartbeat( array(), $asks )[ Live_Session::KEY ];
					sw_assert( is_array( $reply['deadline'] ), 'the reply has a deadline' );
					sw_assert_same( $dialog, $reply['dialog'] );
					$reply = Live_Session::heartbeat( array(), array( Live_Session::KEY => array( 'url' => admin_url() ) ) )[ Live_Session::KEY ];
					sw_assert( ! isset( $reply['dialog'] ), 'not asked, not sent' );
				}
			);

			// Ended elsewhere: the signed-out reply names the login screen for this tab and for the others.
			$cookie = wp_parse_auth_cookie( $_COOKIE[ LOGGED_IN_COOKIE ], 'logged_in' );
			$manager->destroy_all();
			Live_Session::reset();
			Live_Session::bad_session_token( $cookie );
			$reply = Live_Session::heartbeat_signed_out( array(), $asks )[ Live_Session::KEY ];
			sw_assert_same( true, $reply['ended'] );
			sw_assert_same( wp_login_url(), $reply['login'] );
			sw_assert_same( wp_login_url( admin_url() ), $reply['login_url'] );
		} finally {
			Live_Session::reset();
			unset( $_COOKIE[ LOGGED_IN_COOKIE ] );
			$manager->destroy_all();
			wp_set_current_user( 0 );
		}
	}
);
