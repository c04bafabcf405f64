<?php
/**
 * Plugin Name:       Session Warden
 * Description:       Limits and watches login sessions; every decision is made by a sandboxed WebAssembly engine.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.1
 * Author:            Session Warden contributors
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       session-warden
 * Domain Path:       /languages
 *
 * @package SessionWarden
 */

namespace SessionWarden;

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const VERSION = '0.1.0';
const PLUGIN_FILE = __FILE__;
require __DIR__ . '/includes/autoload.php';

register_activation_hook( __FILE__, array( Lifecycle::class, 'activate' ) );
register_deactivation_hook( __FILE__, array( Lifecycle::class, 'deactivate' ) );
add_action( 'plugins_loaded', array( Plugin::class, 'boot' ) );
