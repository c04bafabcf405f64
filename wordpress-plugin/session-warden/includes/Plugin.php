<?php
/**
 * Wires every part of the plugin to WordPress. Each class owns one WordPress concern; this one only
 * says which class listens where.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Plugin {

	private static bool $booted = false;

	public static function boot(): void {
		if ( self::$booted ) {
			return;
		}
		self::$booted = true;

		Events::maybe_upgrade();
		Cron::register();
		Login_Guard::register();
		Session_Guard::register();
		Password_Watch::register();
		Admin_Notice::register();
	}
}
