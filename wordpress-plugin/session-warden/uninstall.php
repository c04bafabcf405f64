<?php
/**
 * Removes everything Session Warden stored, when the plugin is deleted from wp-admin (or with
 * `wp plugin uninstall`). WordPress runs this file without loading the plugin, so it loads the plugin's
 * class loader (includes/autoload.php) but none of its hooks, then hands over to Uninstaller::run().
 *
 * @package SessionWarden
 */

namespace SessionWarden;

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

require __DIR__ . '/includes/autoload.php';

Uninstaller::run();
