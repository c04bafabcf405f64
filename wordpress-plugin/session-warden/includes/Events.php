<?php
/**
 * Placeholder, being written.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Events {
	public static function register(): void {}
	public static function maybe_upgrade(): void {}
	public static function install(): void {}
	public static function record( string $type, int $user_id, array $fields = array() ): void {}
}
