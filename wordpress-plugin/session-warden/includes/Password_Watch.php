<?php
/**
 * Placeholder, being written.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Password_Watch {
	public static function register(): void {}
}
