<?php
/**
 * Non-interactive WordPress install for the test bed (WP-CLI is not available):
 * wp_install(), pretty permalinks, the plugin installed from the release zip through WordPress's own
 * Plugin_Upgrader (what "Upload Plugin" in wp-admin runs) or already copied from source, then activated.
 *
 * Env: SW_SITE (WordPress root), SW_ADMIN_USER, SW_ADMIN_PASS, SW_PLUGIN_ZIP (optional).
 */

define( 'WP_INSTALLING', true );
$_SERVER['HTTP_HOST']   = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
require getenv( 'SW_SITE' ) . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

function sw_fail( string $message ): void {
	fwrite( STDERR, "install.php: $message\n" );
	exit( 1 );
}

$result = wp_install( 'Session Warden test site', getenv( 'SW_ADMIN_USER' ), 'admin@example.com', false, '', wp_slash( getenv( 'SW_ADMIN_PASS' ) ) );
if ( is_wp_error( $result ) ) {
	sw_fail( 'wp_install: ' . $result->get_error_message() );
}
update_option( 'permalink_structure', '/%postname%/' );

$main = 'session-warden/session-warden.php';
$zip  = (string) getenv( 'SW_PLUGIN_ZIP' );
if ( '' !== $zip ) {
	require_once ABSPATH . 'wp-admin/includes/file.php';
	require_once ABSPATH . 'wp-admin/includes/misc.php';
	require_once ABSPATH . 'wp-admin/includes/class-wp-upgrader.php';
	add_filter( 'filesystem_method', static fn() => 'direct' );
	if ( ! WP_Filesystem() ) {
		sw_fail( 'WP_Filesystem() failed' );
	}
	$skin      = new Automatic_Upgrader_Skin();
	$upgrader  = new Plugin_Upgrader( $skin );
	$installed = $upgrader->install( $zip );
	if ( true !== $installed ) {
		$why = is_wp_error( $installed ) ? $installed->get_error_message() : implode( '; ', array_map( 'wp_strip_all_tags', (array) $skin->get_upgrade_messages() ) );
		sw_fail( "installing $zip failed: $why" );
	}
	if ( $upgrader->plugin_info() !== $main ) {
		sw_fail( 'the zip installed ' . var_export( $upgrader->plugin_info(), true ) . ", expected $main" );
	}
}

$activated = activate_plugin( $main );
if ( is_wp_error( $activated ) ) {
	sw_fail( 'activate: ' . $activated->get_error_message() );
}
echo 'installed WordPress ' . get_bloginfo( 'version' ) . ' with ' . implode( ', ', get_option( 'active_plugins' ) ) . ( $zip ? " (from $zip)" : ' (from source)' ) . "\n";
