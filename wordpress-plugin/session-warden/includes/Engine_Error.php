<?php
/**
 * A failed engine request: the engine's own error code, or one of the client's transport codes.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

/**
 * Thrown by Engine_Client. `error_code` is machine-readable: the engine's code (`bad_args`, …) or
 * `engine_missing`, `no_proc_open`, `spawn_failed`, `timeout`, `process_failed`, `listen_failed`, `daemon_unreachable`,
 * `daemon_io`, `bad_reply`.
 */
final class Engine_Error extends \RuntimeException {

	/**
	 * @param string $message    For people.
	 * @param string $error_code For programs.
	 */
	public function __construct( string $message, public readonly string $error_code ) {
		parent::__construct( $message );
	}
}
