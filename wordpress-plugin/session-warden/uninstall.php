<?php
/**
 * Removes everything Session Warden stored, when the plugin is deleted from wp-admin (or with
 * `wp plugin uninstall`). WordPress runs this file without loading the plugin, so it registers the same
 * class loader as session-warden.php but none of its hooks, then hands over to Uninstaller::run().
 *
 * @package SessionWarden
 */

namespace SessionWarden;

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

if ( ! defined( __NAMESPACE__ . '\PLUGIN_DIR' ) ) {
	define( __NAMESPACE__ . '\PLUGIN_DIR', __DIR__ . '/' );
}

if ( ! class_exists( Uninstaller::class ) ) {
	spl_autoload_register(
		static function ( string $class ): void {
			$prefix = __NAMESPACE__ . '\\';
			if ( 0 !== strncmp( $class, $prefix, strlen( $prefix ) ) ) {
				return;
			}
			$relative = str_replace( '\\', '/', substr( $class, strlen( $prefix ) ) );
			if ( ! preg_match( '#^[A-Za-z0-9_/]+$#', $relative ) ) {
				return;
			}
			$file = __DIR__ . '/includes/' . $relative . '.php';
			if ( is_file( $file ) ) {
				require $file;
			}
		}
	);
}

Uninstaller::run();
