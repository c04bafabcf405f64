<?php
/**
 * Placeholder, being written.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Cron {
	public static function register(): void {}
	public static function schedule(): void {}
	public static function unschedule(): void {}
}
