<?php
/**
 * A one-shot engine started with popen() and asked over a one-use socket (`call --listen DIR`).
 *
 * @package SessionWarden
 */

namespace SessionWarden;

/**
 * Why not proc_open(): it forks the web server process, and a fork marks every private page of that
 * process copy-on-write, so each page PHP writes afterwards takes a fault. Measured with a 40 MB PHP heap:
 * 4 ms to spawn and 8 ms of faults after it. popen() goes through glibc's posix_spawn (a vfork): about
 * 0.2 ms and no faults. It only gives PHP the child's stdout, so the engine prints where it listens and
 * takes the request over a socket in the private run directory (see the engine's once.rs).
 *
 * The command goes through /bin/sh (popen always does); every part of it is escaped with escapeshellarg().
 * The process is reaped at shutdown: it exits by itself right after its reply, or as soon as the pipe is
 * closed when no request needed it.
 */
final class Engine_Popen {

	/** @var resource The pipe from the engine's stdout. */
	private $pipe;

	/** @var resource|null The connection send() wrote the request to, until the reply is read. */
	private $conn = null;

	/** @var array<int, resource> Pipes to close (and processes to reap) at shutdown. */
	private static array $to_reap = array();

	/** Whether reap() is registered for shutdown. */
	private static bool $reaper = false;

	/**
	 * @param resource $pipe   From popen().
	 * @param string   $binary The engine executable (for messages).
	 */
	private function __construct( $pipe, private readonly string $binary ) {
		$this->pipe = $pipe;
	}

	/** Whether popen() may be used here (hosts often disable it with proc_open). */
	public static function available(): bool {
		return function_exists( 'popen' ) && function_exists( 'pclose' );
	}

	/**
	 * Starts `ARGV… --listen DIR`.
	 *
	 * @param string[] $argv The one-shot command line (binary first).
	 * @param string   $dir  Private directory for the one-use socket.
	 * @throws Engine_Error When popen() fails.
	 */
	public static function start( array $argv, string $dir ): self {
		$argv[]  = '--listen';
		$argv[]  = $dir;
		$command = 'LC_ALL=C exec ' . implode( ' ', array_map( 'escapeshellarg', $argv ) ) . ' 2>/dev/null';
		$pipe    = @popen( $command, 'r' ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, WordPress.PHP.DiscouragedPHPFunctions.system_calls_popen
		if ( ! is_resource( $pipe ) ) {
			throw new Engine_Error( "could not start {$argv[0]}", 'spawn_failed' );
		}
		return new self( $pipe, $argv[0] );
	}

	/**
	 * Sends one request line and returns the reply line.
	 *
	 * @param string $line    Request line (no newline).
	 * @param float  $timeout Seconds allowed from now.
	 * @throws Engine_Error On any failure; `listen_failed` when the engine could not listen or PHP cannot
	 *                      connect to it (the caller then uses proc_open()).
	 */
	public function ask( string $line, float $timeout ): string {
		$this->send( $line, $timeout );
		return $this->receive();
	}

	/**
	 * Waits for the engine to listen and writes the request line; receive() reads the reply, which the
	 * engine works out meanwhile.
	 *
	 * @param string $line    Request line (no newline).
	 * @param float  $timeout Seconds allowed from now, for the whole exchange.
	 * @throws Engine_Error As ask().
	 */
	public function send( string $line, float $timeout ): void {
		$deadline = microtime( true ) + $timeout;
		$hello    = $this->hello( $deadline, $timeout );
		$where    = json_decode( $hello, true );
		if ( ! is_array( $where ) ) {
			$this->close_now();
			throw new Engine_Error( 'the engine started with something that is not JSON: ' . substr( $hello, 0, 200 ), 'bad_reply' );
		}
		if ( isset( $where['error'] ) ) {
			$message = (string) ( $where['error']['message'] ?? 'engine error' );
			$status  = $this->close_now();
			if ( 'socket' === ( $where['error']['code'] ?? '' ) ) {
				throw new Engine_Error( $message, 'listen_failed' );
			}
			throw Engine_Error::exited( $status, $this->binary, $message );
		}
		$socket = (string) ( $where['listen'] ?? '' );
		$left   = max( 0.001, $deadline - microtime( true ) );
		$errno  = 0;
		$errstr = '';
		$conn   = '' === $socket ? false : @stream_socket_client( 'unix://' . $socket, $errno, $errstr, $left ); // phpcs:ignore WordPress.PHP.NoSilencedErrors
		if ( false === $conn ) {
			// E.g. open_basedir or a security policy keeps PHP from this socket: the caller uses proc_open() then.
			$this->close_now();
			throw new Engine_Error( "cannot reach the one-shot engine at $socket: $errstr", 'listen_failed' );
		}
		$this->conn = $conn;
		try {
			Engine_Line::send( $conn, $line, max( 0.001, $deadline - microtime( true ) ), 'the one-shot engine', 'process_failed' );
		} catch ( Engine_Error $e ) {
			$this->hang_up();
			throw $e;
		}
	}

	/**
	 * The reply to what send() wrote.
	 *
	 * @throws Engine_Error When it does not come (in time).
	 */
	public function receive(): string {
		if ( null === $this->conn ) {
			throw new Engine_Error( 'the one-shot engine was not asked anything', 'process_failed' );
		}
		try {
			return Engine_Line::receive( $this->conn, 'the one-shot engine', 'process_failed' );
		} finally {
			$this->hang_up();
		}
	}

	/** Closes the connection; the process exits by itself (after its reply, or when it cannot write it). */
	public function hang_up(): void {
		if ( null !== $this->conn ) {
			fclose( $this->conn );
			$this->conn = null;
		}
		// Reaping it waits until shutdown, off the request's path.
		$this->reap_later();
	}

	/** Ends a process no request used: closing the pipe makes it exit at once, pclose() reaps it. */
	public function discard(): void {
		$this->close_now();
	}

	/**
	 * The engine's first line: where it listens, or its start-up error.
	 *
	 * @param float $deadline microtime() limit.
	 * @param float $timeout  For the message.
	 */
	private function hello( float $deadline, float $timeout ): string {
		stream_set_blocking( $this->pipe, false );
		$hello = '';
		while ( ! str_ends_with( $hello, "\n" ) ) {
			$left = $deadline - microtime( true );
			if ( $left <= 0 ) {
				$this->reap_later();
				throw new Engine_Error( "the engine did not answer within $timeout s", 'timeout' );
			}
			$read   = array( $this->pipe );
			$write  = null;
			$except = null;
			if ( false === stream_select( $read, $write, $except, 0, (int) min( $left * 1e6, 200000 ) ) ) {
				continue; // Interrupted by a signal; the deadline still holds.
			}
			if ( ! $read ) {
				continue;
			}
			$chunk  = fread( $this->pipe, 65536 );
			$hello .= (string) $chunk;
			if ( feof( $this->pipe ) && ! str_ends_with( $hello, "\n" ) ) {
				throw Engine_Error::exited( $this->close_now(), $this->binary, 'it ended before it was asked' );
			}
		}
		return $hello;
	}

	/** Closes the pipe and waits for the process; its exit status. */
	private function close_now(): int {
		if ( ! is_resource( $this->pipe ) ) {
			return -1;
		}
		return (int) pclose( $this->pipe );
	}

	/** Leaves the pipe for reap() at shutdown. */
	private function reap_later(): void {
		if ( ! is_resource( $this->pipe ) ) {
			return;
		}
		self::$to_reap[] = $this->pipe;
		if ( ! self::$reaper ) {
			self::$reaper = true;
			register_shutdown_function( array( self::class, 'reap' ) );
		}
	}

	/** Shutdown: reaps every engine this request asked (each has exited or exits once its pipe closes). */
	public static function reap(): void {
		foreach ( self::$to_reap as $pipe ) {
			if ( is_resource( $pipe ) ) {
				pclose( $pipe );
			}
		}
		self::$to_reap = array();
	}
}
