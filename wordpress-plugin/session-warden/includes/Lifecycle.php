<?php
/**
 * Activation, deactivation and upgrades. Deactivating keeps every setting, event and session field; only
 * uninstall.php removes data.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Lifecycle {

	/**
	 * @param bool $network_wide Whether the plugin is being network-activated.
	 */
	public static function activate( $network_wide = false ): void {
		Engine_Client::prepare_install();
		Events::install();
		Session_Index::install();
		self::ensure_capability_everywhere( (bool) $network_wide );
		Cron::schedule();
		// Sessions that began before the plugin was active are listed from the start (on a large site,
		// from a cron run moments later).
		Session_Index::build_after_activation();
	}

	public static function deactivate(): void {
		Cron::unschedule();
		wp_clear_scheduled_hook( Session_Index::REBUILD_HOOK );
		if ( null !== Daemon::marker() ) {
			Daemon::stop();
		}
	}

	/**
	 * `upgrader_process_complete`: the plugin's files were replaced without an activation, so what
	 * activation sets up is checked again (the code running here may still be the old version's).
	 *
	 * @param object $upgrader Upgrader.
	 * @param array  $options  `type`, `action`, `plugins`/`plugin`.
	 */
	public static function upgraded( $upgrader = null, $options = array() ): void {
		if ( ! is_array( $options ) || 'plugin' !== ( $options['type'] ?? '' ) ) {
			return;
		}
		$mine    = plugin_basename( PLUGIN_FILE );
		$plugins = isset( $options['plugins'] ) ? (array) $options['plugins'] : (array) ( $options['plugin'] ?? array() );
		if ( ! in_array( $mine, $plugins, true ) ) {
			return;
		}
		self::ensure_capability_everywhere( is_multisite() && function_exists( 'is_plugin_active_for_network' ) && is_plugin_active_for_network( $mine ) );
		Session_Index::install();
		Session_Index::schedule_rebuild();
	}

	/**
	 * Gives the administrator role of the current site the capability to manage sessions, unless it has
	 * it. Cheap when nothing is missing (the roles are already loaded by any capability check), so the
	 * admin screens may call it on load; it also repairs a site where the plugin was upgraded in place.
	 * Super admins have every capability already; a site owner who removed it from administrators on
	 * purpose gets it back only through activation or an upgrade of the plugin.
	 *
	 * @return bool Whether the role had to be changed.
	 */
	public static function ensure_capability(): bool {
		$role = get_role( 'administrator' );
		if ( ! $role instanceof \WP_Role || $role->has_cap( Session_Directory::CAP ) ) {
			return false;
		}
		$role->add_cap( Session_Directory::CAP );
		return true;
	}

	/**
	 * `wp_initialize_site` (priority 20, after core populated the new site's roles): a site created while
	 * the plugin is network-active gives its administrators the capability like the sites that existed
	 * at activation. A site-by-site activation leaves new sites to their own activation.
	 *
	 * @param \WP_Site $site The new site.
	 */
	public static function site_created( $site ): void {
		if ( ! $site instanceof \WP_Site ) {
			return;
		}
		if ( ! function_exists( 'is_plugin_active_for_network' ) ) {
			require_once ABSPATH . 'wp-admin/includes/plugin.php';
		}
		if ( ! is_plugin_active_for_network( plugin_basename( PLUGIN_FILE ) ) ) {
			return;
		}
		switch_to_blog( (int) $site->blog_id ); // Also loads that site's roles (core's switch_blog hook).
		try {
			self::ensure_capability();
		} finally {
			restore_current_blog();
		}
	}

	/**
	 * @param bool $network_wide On a network activation, every site of the network.
	 */
	private static function ensure_capability_everywhere( bool $network_wide ): void {
		if ( ! $network_wide || ! is_multisite() ) {
			// The roles as stored now, not as this process loaded them (another process may have changed them).
			wp_roles()->for_site( get_current_blog_id() );
			self::ensure_capability();
			return;
		}
		foreach ( get_sites(
			array(
				'fields'     => 'ids',
				'number'     => 0,
				'network_id' => get_current_network_id(),
			)
		) as $site_id ) {
			switch_to_blog( (int) $site_id );
			try {
				self::ensure_capability();
			} finally {
				restore_current_blog();
			}
		}
	}

	/**
	 * Takes the capability away from every role of the current site (uninstall).
	 */
	public static function remove_capability(): void {
		$roles = wp_roles();
		foreach ( array_keys( $roles->roles ) as $name ) {
			$role = $roles->get_role( $name );
			if ( $role instanceof \WP_Role && $role->has_cap( Session_Directory::CAP ) ) {
				$role->remove_cap( Session_Directory::CAP );
			}
		}
	}
}
