<?php
/**
 * The plugin's class loader, shared by session-warden.php and uninstall.php (which WordPress runs without
 * loading the plugin): SessionWarden\Engine_Client → includes/Engine_Client.php,
 * SessionWarden\Sub\Thing → includes/Sub/Thing.php. Safe to include twice.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

if ( ! defined( __NAMESPACE__ . '\PLUGIN_DIR' ) ) {
	define( __NAMESPACE__ . '\PLUGIN_DIR', dirname( __DIR__ ) . '/' );
}
if ( defined( __NAMESPACE__ . '\AUTOLOADER' ) ) {
	return;
}
define( __NAMESPACE__ . '\AUTOLOADER', true );

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
		$file = PLUGIN_DIR . 'includes/' . $relative . '.php';
		if ( is_file( $file ) ) {
			require $file;
		}
	}
);
