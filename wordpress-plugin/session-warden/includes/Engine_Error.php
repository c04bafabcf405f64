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

	/**
	 * A one-shot engine process that ended with a non-zero status, however it was started.
	 *
	 * @param int    $status Exit status.
	 * @param string $binary The engine executable.
	 * @param string $detail What it said (stderr or its error reply), '' for nothing.
	 */
	public static function exited( int $status, string $binary, string $detail ): self {
		$detail = '' === $detail ? '' : ": $detail";
		if ( 126 === $status || 127 === $status ) {
			// The shell convention for "could not execute": not executable for this user, or a wrong-architecture binary.
			return new self( "$binary cannot be executed by this user (status $status)$detail", 'spawn_failed' );
		}
		return new self( "the engine exited with status $status$detail", 'process_failed' );
	}
}
