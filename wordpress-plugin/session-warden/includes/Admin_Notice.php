<?php
/**
 * Placeholder, being written.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Admin_Notice {
	public static function register(): void {}
}
