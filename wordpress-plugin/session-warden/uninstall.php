<?php
/**
 * Removes everything Session Warden stored, when the plugin is deleted from wp-admin.
 *
 * @package SessionWarden
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

delete_option( 'session_warden_settings' );
delete_site_option( 'session_warden_settings' );
