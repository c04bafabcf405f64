<?php
/**
 * Placeholder, being written.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Login_Guard {
	public static function register(): void {}
}
