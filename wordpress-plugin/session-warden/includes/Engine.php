<?php
/**
 * The plugin's one way to ask the engine: a shared client, and a record of the last failure for the
 * Engine status panel and the admin notice.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Engine {

	public const STATUS_OPTION = 'session_warden_engine_status';

	private static ?Engine_Client $client = null;

	public static function client(): Engine_Client {
		return self::$client ??= Engine_Client::from_plugin();
	}

	/** For tests and for a changed socket setting: the next ask() builds a new client. */
	public static function reset(): void {
		self::$client = null;
	}

	/**
	 * Starts the engine's one-shot process for the next ask() now, when one-shot processes are the transport
	 * in use (see Engine_Client::prime()); a no-op with the daemon or the PHP runtime. Before `wp_loaded` the
	 * client that primes is not kept: this may run before a theme or a later plugin hook adds its socket or
	 * geo database filter, and the client of the ask() must see those (it takes the process only when its
	 * command line is the same). From `wp_loaded` on (a sign-in's password step), every plugin and the theme
	 * have added their filters, so the client is kept for the ask() that follows instead of being built
	 * again (its filters and option reads: ~20-30 µs of a login POST inside Apache).
	 */
	public static function prime(): void {
		$client = self::$client ?? Engine_Client::from_plugin();
		$client->prime();
		if ( null === self::$client && function_exists( 'did_action' ) && did_action( 'wp_loaded' ) ) {
			self::$client = $client;
		}
	}

	/**
	 * Sends one op and returns the engine's answer.
	 *
	 * @param string $op   Engine op.
	 * @param array  $args Arguments.
	 * @return mixed
	 * @throws Engine_Error When no engine answered, or it refused the request.
	 */
	public static function ask( string $op, array $args = array() ) {
		try {
			return self::client()->request( $op, $args );
		} catch ( Engine_Error $e ) {
			self::note_failure( $op, $e );
			throw $e;
		}
	}

	/**
	 * Sends one op now, to be answered by answer() later, so the engine works while this request does
	 * something else (see Engine_Client::send()); null when the transport cannot do that.
	 *
	 * @param string $op   Engine op.
	 * @param array  $args Arguments.
	 */
	public static function send( string $op, array $args ): ?Engine_Pending {
		return self::client()->send( $op, $args );
	}

	/**
	 * The answer to what send() sent. When the connection broke before the reply (a kept daemon connection
	 * the daemon had closed, a one-shot process that ended), the op is asked again with ask(), which falls
	 * back and reports as it always does. Anything else (a timeout, the engine's own error) is reported at
	 * once: asking again would wait again, or get the same error.
	 *
	 * @param Engine_Pending $pending From send().
	 * @param string         $op      The op it sent.
	 * @param array          $args    Its arguments.
	 * @return mixed
	 * @throws Engine_Error As ask().
	 */
	public static function answer( Engine_Pending $pending, string $op, array $args ) {
		try {
			return $pending->answer();
		} catch ( Engine_Error $e ) {
			if ( in_array( $e->error_code, array( 'daemon_io', 'process_failed' ), true ) ) {
				return self::ask( $op, $args );
			}
			self::note_failure( $op, $e );
			throw $e;
		}
	}

	/**
	 * Remembers the failure, at most once a minute per error code so an outage does not turn every request
	 * into an option write.
	 *
	 * @param string       $op Op that failed.
	 * @param Engine_Error $e  Failure.
	 */
	private static function note_failure( string $op, Engine_Error $e ): void {
		$status = get_site_option( self::STATUS_OPTION );
		$status = is_array( $status ) ? $status : array();
		$last   = $status['last_error'] ?? null;
		if ( is_array( $last ) && ( $last['code'] ?? '' ) === $e->error_code && time() - (int) ( $last['time'] ?? 0 ) < 60 ) {
			return;
		}
		$status['last_error'] = array(
			'time'    => time(),
			'op'      => $op,
			'code'    => $e->error_code,
			'message' => $e->getMessage(),
		);
		update_site_option( self::STATUS_OPTION, $status );
	}

	/** The last failure ({time, op, code, message}) or null. */
	public static function last_error(): ?array {
		// Read on every admin page an administrator opens (Admin_Notice); stored as missing: no failure.
		$status = Settings::network_option( self::STATUS_OPTION, serialize( array() ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.serialize_serialize -- the stored form of array().
		return is_array( $status ) && is_array( $status['last_error'] ?? null ) ? $status['last_error'] : null;
	}
}
