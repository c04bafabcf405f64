<?php
/**
 * Plugin Name: Session Warden test bed: offline and quiet
 * Description: Test bed only. No mail, no update or translation checks, no dashboard news feeds.
 */

// No sendmail on CI: report mail as sent instead of "sh: 1: /usr/sbin/sendmail: not found".
add_filter( 'pre_wp_mail', '__return_true' );

// Offline: skip core/plugin/theme update checks (each failed check logs a PHP warning).
foreach ( array( '_maybe_update_core', '_maybe_update_plugins', '_maybe_update_themes', 'wp_version_check' ) as $sw_hook ) {
	remove_action( 'admin_init', $sw_hook );
}
remove_action( 'wp_version_check', 'wp_version_check' );
remove_action( 'wp_update_plugins', 'wp_update_plugins' );
remove_action( 'wp_update_themes', 'wp_update_themes' );
remove_action( 'init', 'wp_schedule_update_checks' );
foreach ( array( 'update_core', 'update_plugins', 'update_themes' ) as $sw_transient ) {
	add_filter(
		"pre_site_transient_$sw_transient",
		static fn() => (object) array(
			'last_checked'    => time(),
			'version_checked' => get_bloginfo( 'version' ),
			'updates'         => array(),
			'response'        => array(),
			'translations'    => array(),
			'checked'         => array(),
		)
	);
}
add_filter( 'automatic_updater_disabled', '__return_true' );

// Dashboard widgets that fetch wordpress.org feeds or the browse-happy / PHP version APIs.
add_action(
	'wp_dashboard_setup',
	static function () {
		remove_meta_box( 'dashboard_primary', 'dashboard', 'side' );
		remove_meta_box( 'dashboard_site_health', 'dashboard', 'normal' );
	}
);
add_filter( 'pre_site_transient_browser_' . md5( $_SERVER['HTTP_USER_AGENT'] ?? '' ), static fn() => array( 'upgrade' => false, 'insecure' => false ) );
add_filter( 'pre_site_transient_php_check_' . md5( PHP_VERSION ), static fn() => array( 'is_acceptable' => true, 'is_supported' => true, 'is_secure' => true, 'is_lower_than_future_minimum' => false ) );
