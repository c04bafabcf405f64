<?php
/**
 * Plugin Name: Session Warden test bed: live knobs and mail capture
 * Description: Test bed only, never shipped (installed with SW_TEST_HOOKS=1). The option
 * `sw_test_heartbeat_interval` (seconds) sets WordPress's heartbeat interval, so browser tests need not wait
 * a minute per tick. Every wp_mail() is appended as one JSON line to wp-content/sw-test-mail.jsonl
 * (to, subject, message, headers, time), before sw-offline-quiet reports it sent.
 */

add_filter(
	'heartbeat_settings',
	static function ( $settings ) {
		$interval = (int) get_option( 'sw_test_heartbeat_interval', 0 );
		if ( $interval > 0 ) {
			$settings['interval'] = $interval;
		}
		return $settings;
	},
	20
);

add_filter(
	'pre_wp_mail',
	static function ( $return, $atts ) {
		$line = wp_json_encode(
			array(
				'to'      => $atts['to'] ?? '',
				'subject' => $atts['subject'] ?? '',
				'message' => $atts['message'] ?? '',
				'headers' => $atts['headers'] ?? '',
				'time'    => time(),
			)
		);
		file_put_contents( WP_CONTENT_DIR . '/sw-test-mail.jsonl', $line . "\n", FILE_APPEND | LOCK_EX ); // phpcs:ignore WordPress.WP.AlternativeFunctions
		return $return;
	},
	1,
	2
);

// The option `sw_test_suppress_email` (1) makes a `session_warden_email` filter drop every session e-mail.
add_filter(
	'session_warden_email',
	static fn ( $email ) => get_option( 'sw_test_suppress_email' ) ? false : $email
);
