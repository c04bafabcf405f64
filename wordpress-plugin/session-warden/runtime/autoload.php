<?php
/**
 * Autoloader for the PHP WebAssembly runtime (namespace SessionWarden\Wasm).
 *
 * Kept separate from the plugin's own loading so the runtime can be used (and
 * tested) without WordPress.
 */

declare(strict_types=1);

spl_autoload_register(
	static function (string $class): void {
		$prefix = 'SessionWarden\\Wasm\\';
		if (0 !== strncmp($class, $prefix, strlen($prefix))) {
			return;
		}
		$file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
		if (is_file($file)) {
			require $file;
		}
	}
);
