<?php
/**
 * Activation and deactivation. Deactivating keeps every setting, event and session field; only
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
		Cron::schedule();
	}

	public static function deactivate(): void {
		Cron::unschedule();
		if ( null !== Daemon::marker() ) {
			Daemon::stop();
		}
	}
}
