<?php
/**
 * One request line and its reply line over a connected unix socket: the daemon's and the one-shot engine's
 * (Engine_Popen) exchange, written by send() and read by receive(), so PHP can work while the engine does.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

/**
 * Both engines answer one JSON line with one JSON line; only the peer's name and the error code of a broken
 * exchange differ between them.
 */
final class Engine_Line {

	/**
	 * Writes `$line` and a newline; receive() reads the reply, which the engine works out meanwhile.
	 *
	 * @param resource $conn    Connected stream.
	 * @param string   $line    Request line (no newline).
	 * @param float    $timeout Seconds allowed for the reply, counted from now.
	 * @param string   $peer    Who answers, for messages.
	 * @param string   $io_code Error code of a failed write.
	 * @throws Engine_Error On a failed write.
	 */
	public static function send( $conn, string $line, float $timeout, string $peer, string $io_code ): void {
		stream_set_timeout( $conn, (int) $timeout, (int) ( fmod( $timeout, 1.0 ) * 1e6 ) );
		if ( false === @fwrite( $conn, $line . "\n" ) ) { // phpcs:ignore WordPress.PHP.NoSilencedErrors
			throw new Engine_Error( "could not write to $peer", $io_code );
		}
	}

	/**
	 * Reads the reply line to what send() wrote, within the timeout send() set.
	 *
	 * @param resource $conn    Connected stream.
	 * @param string   $peer    Who answers, for messages.
	 * @param string   $io_code Error code of a missing reply.
	 * @throws Engine_Error When no reply came in time (`timeout`) or no whole reply line (`$io_code`).
	 */
	public static function receive( $conn, string $peer, string $io_code ): string {
		$reply = fgets( $conn );
		if ( stream_get_meta_data( $conn )['timed_out'] ) {
			throw new Engine_Error( "$peer did not answer in time", 'timeout' );
		}
		if ( false === $reply || ! str_ends_with( $reply, "\n" ) ) {
			throw new Engine_Error( "$peer closed the connection without a reply", $io_code );
		}
		return $reply;
	}
}
