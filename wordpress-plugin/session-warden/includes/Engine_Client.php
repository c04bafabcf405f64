<?php
/**
 * Talks to the bundled engine: newline-delimited JSON through the daemon's unix socket, or one
 * `session-warden-engine call` process per request: started with popen() and asked over a one-use socket
 * (Engine_Popen), or with proc_open() and an argv array where that cannot work.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

/**
 * One request is `{"v":1,"id":N,"op":…,"args":{…}}`; the reply is `{"ok":…}` or
 * `{"error":{"code":…,"message":…}}`.
 */
final class Engine_Client {

	public const BINARY   = 'session-warden-engine';
	public const ARTIFACT = 'session-warden.cwasm';

	/** Transports accepted by request(); null there means "socket when configured, else process". */
	public const VIA_SOCKET  = 'socket';
	public const VIA_PROCESS = 'process';
	public const VIA_RUNTIME = 'runtime';

	/** The component run by the PHP WebAssembly runtime where no engine binary may run. */
	public const COMPONENT = 'session-warden.wasm';

	/** Process failures that mean "no binary can run here", after which the PHP runtime is used. */
	private const NO_PROCESS = array( 'engine_missing', 'no_proc_open', 'spawn_failed' );

	/** The PHP runtime's engine, loaded once per PHP process. */
	private static ?\SessionWarden\Wasm\Engine $runtime = null;

	/** Option (network-wide) that pins the transport: auto (default), socket, process or runtime. */
	public const MODE_OPTION = 'session_warden_engine_mode';

	/** The pinned transport, or null for automatic selection. */
	private ?string $pinned = null;

	/** How the last request was answered: socket, process or runtime. */
	public ?string $last_via = null;

	private int $next_id = 1;

	/**
	 * A process started by prime() and not used yet, for whichever client of this PHP request runs the same
	 * command line first: {argv, process, pipes}.
	 *
	 * @var array{argv: string, popen?: Engine_Popen, process?: resource, pipes?: array<int, resource>}|null
	 */
	private static ?array $primed = null;

	/** Whether discard_primed() is registered for shutdown. */
	private static bool $reaper = false;

	/**
	 * @param string      $binary   Runtime-only engine executable.
	 * @param string      $artifact Precompiled component (.cwasm) next to it.
	 * @param string|null $socket   Unix socket of a running `serve` daemon, if any.
	 * @param float       $timeout  Seconds allowed for one request, spawn included (for a process started
	 *                              ahead by prime(), counted from when the request is written to it).
	 * @param string      $geo_db   Country database (MMDB) a one-shot process loads for geo ops; '' for none.
	 *                              A daemon gets its own with `serve --geo-db`.
	 * @param string|null $run_dir  Private directory where a one-shot process started with popen() listens
	 *                              (see Engine_Popen); null to start one-shot processes with proc_open().
	 */
	public function __construct(
		private readonly string $binary,
		private readonly string $artifact,
		private readonly ?string $socket = null,
		private readonly float $timeout = 2.0,
		private readonly string $geo_db = '',
		private readonly ?string $run_dir = null
	) {}

	/**
	 * The engine shipped in this plugin's engine/ folder; the daemon socket comes from the
	 * SESSION_WARDEN_ENGINE_SOCKET constant (wp-config.php) or the `session_warden_engine_socket` filter.
	 */
	public static function from_plugin(): self {
		$dir    = PLUGIN_DIR . 'engine/';
		$socket = defined( 'SESSION_WARDEN_ENGINE_SOCKET' ) ? (string) SESSION_WARDEN_ENGINE_SOCKET : null;
		if ( function_exists( 'apply_filters' ) ) {
			$socket = apply_filters( 'session_warden_engine_socket', $socket );
		}
		$client         = new self( $dir . self::BINARY, $dir . self::ARTIFACT, $socket ? (string) $socket : null, 2.0, self::configured_geo_db(), function_exists( 'apply_filters' ) ? Daemon::run_dir() : null );
		$client->pinned = self::pinned_mode();
		return $client;
	}

	/** The geo database configured for this site, or '' (SESSION_WARDEN_GEO_DB or the filter). */
	public static function configured_geo_db(): string {
		$db = defined( 'SESSION_WARDEN_GEO_DB' ) ? (string) SESSION_WARDEN_GEO_DB : '';
		if ( function_exists( 'apply_filters' ) ) {
			/**
			 * Filters the path of the MaxMind-format country database used for country limits and flags.
			 *
			 * @param string $db Path, or '' for none.
			 */
			$db = (string) apply_filters( 'session_warden_geo_db', $db );
		}
		return $db;
	}

	/**
	 * The transport the site owner pinned: the SESSION_WARDEN_ENGINE_MODE constant, else the option; null
	 * for automatic (daemon, then process, then the PHP runtime). An unknown value means automatic.
	 */
	public static function pinned_mode(): ?string {
		$mode = defined( 'SESSION_WARDEN_ENGINE_MODE' ) ? (string) SESSION_WARDEN_ENGINE_MODE
			: ( function_exists( 'get_site_option' ) ? (string) get_site_option( self::MODE_OPTION, 'auto' ) : 'auto' );
		return in_array( $mode, array( self::VIA_SOCKET, self::VIA_PROCESS, self::VIA_RUNTIME ), true ) ? $mode : null;
	}

	/**
	 * Activation: an upload through wp-admin drops the executable bit, so set the engine's modes here
	 * (binary r-x, everything else in engine/ read-only).
	 */
	public static function prepare_install(): void {
		foreach ( glob( PLUGIN_DIR . 'engine/*' ) ?: array() as $file ) {
			$mode = self::BINARY === basename( $file ) ? 0555 : 0444;
			if ( is_file( $file ) && ( fileperms( $file ) & 0777 ) !== $mode ) {
				chmod( $file, $mode );
			}
		}
	}

	/** The engine's name and version, e.g. "session-warden-policy 0.1.0". */
	public function version( ?string $via = null ): string {
		$version = $this->request( 'version', array(), $via );
		if ( ! is_string( $version ) || '' === $version ) {
			throw new Engine_Error( 'the engine answered "version" without a version string', 'bad_reply' );
		}
		return $version;
	}

	/**
	 * Sends one op and returns the reply's "ok" value.
	 *
	 * @param string      $op   Engine op name.
	 * @param array       $args Op arguments (encoded as a JSON object).
	 * @param string|null $via  VIA_SOCKET, VIA_PROCESS, VIA_RUNTIME, or null: the pinned mode if the site
	 *                          owner pinned one, else the socket if configured, falling back to a process,
	 *                          falling back to the PHP runtime when no binary can run.
	 * @return mixed
	 * @throws Engine_Error On any failure.
	 */
	public function request( string $op, array $args = array(), ?string $via = null ) {
		$via ??= $this->pinned;
		$line  = $this->line( $op, $args );

		if ( self::VIA_PROCESS === $via ) {
			$raw = $this->over_process( $line );
		} elseif ( self::VIA_SOCKET === $via ) {
			$raw = $this->over_socket( $line );
		} elseif ( self::VIA_RUNTIME === $via ) {
			$raw = $this->in_runtime( $op, $args );
		} elseif ( null === $via ) {
			// The daemon when one answers, else a one-shot process, else (no binary may run) the PHP runtime.
			$raw = null;
			if ( null !== $this->socket ) {
				try {
					$raw = $this->over_socket( $line );
				} catch ( Engine_Error $e ) {
					if ( 'daemon_unreachable' !== $e->error_code ) {
						throw $e;
					}
					if ( function_exists( 'do_action' ) ) {
						/**
						 * Fires when the configured engine daemon does not answer (the request then falls back).
						 *
						 * @param string       $socket Socket path.
						 * @param Engine_Error $e      Why.
						 */
						do_action( 'session_warden_daemon_unreachable', $this->socket, $e );
					}
				}
			}
			if ( null === $raw ) {
				try {
					$raw = $this->over_process( $line );
				} catch ( Engine_Error $e ) {
					if ( ! in_array( $e->error_code, self::NO_PROCESS, true ) || ! is_file( $this->component() ) ) {
						throw $e;
					}
					$raw = $this->in_runtime( $op, $args );
				}
			}
		} else {
			throw new \InvalidArgumentException( "unknown engine transport: $via" );
		}

		return self::ok( $raw );
	}

	/**
	 * Sends one op now and leaves its reply to be read later (Engine_Pending::answer()), so the engine works
	 * while PHP does something else, when the transport allows it: the daemon's socket, or a one-shot
	 * process prime() started. Otherwise, or when sending fails, null: the caller asks with request() then,
	 * which meets any failure and falls back as it always does.
	 *
	 * @param string $op   Engine op name.
	 * @param array  $args Op arguments.
	 */
	public function send( string $op, array $args ): ?Engine_Pending {
		$line = $this->line( $op, $args );
		try {
			if ( null !== $this->socket && ( null === $this->pinned || self::VIA_SOCKET === $this->pinned ) ) {
				return $this->send_over_socket( $line );
			}
			$primed = null === $this->pinned || self::VIA_PROCESS === $this->pinned ? $this->take_primed( true ) : null;
			if ( null !== $primed ) {
				$popen = $primed['popen'];
				$popen->send( $line, $this->timeout );
				return new Engine_Pending(
					function () use ( $popen ): string {
						$raw            = $popen->receive();
						$this->last_via = self::VIA_PROCESS;
						return $raw;
					},
					static fn () => $popen->hang_up()
				);
			}
		} catch ( Engine_Error $e ) {
			unset( $e ); // request() asks again and meets (and reports) whatever this was.
		}
		return null;
	}

	/**
	 * Writes the request line over the daemon's persistent connection (see over_socket()); the reply is
	 * read from the Engine_Pending returned.
	 *
	 * @param string $line Request line.
	 * @throws Engine_Error When the daemon cannot be reached or written to.
	 */
	private function send_over_socket( string $line ): Engine_Pending {
		$errno  = 0;
		$errstr = '';
		$conn   = @stream_socket_client( 'unix://' . $this->socket, $errno, $errstr, $this->timeout, STREAM_CLIENT_CONNECT | STREAM_CLIENT_PERSISTENT ); // phpcs:ignore WordPress.PHP.NoSilencedErrors
		if ( false === $conn ) {
			unset( self::$warm[ $this->socket ] );
			throw new Engine_Error( "cannot reach the engine daemon at {$this->socket}: $errstr", 'daemon_unreachable' );
		}
		$socket = (string) $this->socket;
		$broken = static function () use ( $conn, $socket ): void {
			// A connection in an unknown state (half a reply, a timeout) must never serve another request.
			unset( self::$warm[ $socket ] );
			fclose( $conn );
		};
		try {
			Engine_Line::send( $conn, $line, $this->timeout, 'the engine daemon', 'daemon_io' );
		} catch ( Engine_Error $e ) {
			$broken();
			throw $e;
		}
		$receive = function () use ( $conn, $socket, $broken ): string {
			try {
				$raw = Engine_Line::receive( $conn, 'the engine daemon', 'daemon_io' );
			} catch ( Engine_Error $e ) {
				$broken();
				throw $e;
			}
			self::$warm[ $socket ] = true;
			$this->last_via        = self::VIA_SOCKET;
			return $raw;
		};
		// An unwanted reply is read and dropped, which leaves the kept connection ready for the next request.
		return new Engine_Pending( $receive, static function () use ( $receive ): void {
			try {
				$receive();
			} catch ( Engine_Error $e ) {
				unset( $e ); // The connection is closed; the next request opens a new one.
			}
		} );
	}

	/**
	 * The request line of an op.
	 *
	 * @param string $op   Engine op name.
	 * @param array  $args Op arguments (encoded as a JSON object).
	 */
	private function line( string $op, array $args ): string {
		return json_encode(
			array(
				'v'    => 1,
				'id'   => $this->next_id++,
				'op'   => $op,
				'args' => (object) $args,
			),
			JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR
		);
	}

	/**
	 * The "ok" value of a reply line.
	 *
	 * @param string $raw Reply line.
	 * @return mixed
	 * @throws Engine_Error When the reply is an error or not a reply.
	 */
	public static function ok( string $raw ) {
		$reply = json_decode( $raw, true );
		if ( ! is_array( $reply ) ) {
			throw new Engine_Error( 'the engine replied with something that is not a JSON object: ' . substr( $raw, 0, 200 ), 'bad_reply' );
		}
		if ( isset( $reply['error'] ) ) {
			$error = (array) $reply['error'];
			throw new Engine_Error( (string) ( $error['message'] ?? 'engine error' ), (string) ( $error['code'] ?? 'engine_error' ) );
		}
		if ( ! array_key_exists( 'ok', $reply ) ) {
			throw new Engine_Error( 'the engine reply has neither "ok" nor "error"', 'bad_reply' );
		}
		return $reply['ok'];
	}

	/**
	 * Where the runtime keeps the PHP it translates the component into (for opcache): the
	 * SESSION_WARDEN_RUNTIME_CACHE constant, else a per-user folder in the system temp dir, outside the web
	 * root and apart from other users' (a folder another user created first would not be writable).
	 */
	private static function runtime_cache_dir(): string {
		if ( defined( 'SESSION_WARDEN_RUNTIME_CACHE' ) ) {
			return (string) SESSION_WARDEN_RUNTIME_CACHE;
		}
		$who = function_exists( 'posix_geteuid' ) ? (string) posix_geteuid() : preg_replace( '/[^a-z0-9_-]/i', '', (string) get_current_user() );
		return sys_get_temp_dir() . '/session-warden-wasm-' . $who;
	}

	/** The component file beside the binary. */
	private function component(): string {
		return dirname( $this->artifact ) . '/' . self::COMPONENT;
	}

	/**
	 * Runs the request in the PHP WebAssembly runtime (no extension, no process). Slower than the native
	 * engine (milliseconds instead of microseconds) but available on every host.
	 *
	 * @param string $op   Op.
	 * @param array  $args Arguments.
	 */
	private function in_runtime( string $op, array $args ): string {
		if ( ! class_exists( \SessionWarden\Wasm\Engine::class ) ) {
			require_once dirname( __DIR__ ) . '/runtime/autoload.php';
		}
		// The native engine answers geo ops from the database it was started with; the runtime is handed it.
		if ( in_array( $op, array( 'geo_country', 'geo_info' ), true ) && ! isset( $args['db'] ) ) {
			$db = '' !== $this->geo_db ? @file_get_contents( $this->geo_db ) : false; // phpcs:ignore WordPress.PHP.NoSilencedErrors, WordPress.WP.AlternativeFunctions
			if ( false === $db ) {
				throw new Engine_Error( 'no geolocation database is configured or readable', 'geo_error' );
			}
			$args['db'] = base64_encode( $db ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode
		}
		$this->last_via = self::VIA_RUNTIME;
		try {
			self::$runtime ??= \SessionWarden\Wasm\Engine::load( $this->component(), array( 'cache_dir' => self::runtime_cache_dir() ) );
			return self::$runtime->handleJson(
				json_encode( array( 'op' => $op, 'args' => (object) $args ), JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR )
			);
		} catch ( \SessionWarden\Wasm\Trap $e ) {
			self::$runtime = null;
			throw new Engine_Error( 'the engine stopped in the PHP runtime: ' . $e->getMessage(), 'trap' );
		} catch ( \SessionWarden\Wasm\ModuleError | \SessionWarden\Wasm\LinkError $e ) {
			throw new Engine_Error( 'the PHP runtime cannot load the engine: ' . $e->getMessage(), 'runtime_load' );
		}
	}

	/**
	 * One request over the daemon's socket. The connection is persistent (kept by this PHP worker between
	 * requests, as pfsockopen does): connecting costs about as much as the request itself. A kept
	 * connection the daemon has since closed (idle timeout, restart) fails on first use and is replaced
	 * once by a fresh one.
	 *
	 * @param string $line Request line.
	 */
	private function over_socket( string $line ): string {
		if ( null === $this->socket ) {
			throw new Engine_Error( 'no engine daemon socket is configured', 'daemon_unreachable' );
		}
		$reused = isset( self::$warm[ $this->socket ] );
		try {
			return $this->send_over_socket( $line )->reply_line();
		} catch ( Engine_Error $e ) {
			if ( ! $reused || 'daemon_io' !== $e->error_code ) {
				throw $e;
			}
			return $this->send_over_socket( $line )->reply_line();
		}
	}

	/** @var array<string, true> Sockets this PHP worker holds a persistent connection to. */
	private static array $warm = array();

	/**
	 * Starts the one-shot process for the next request now, without sending it anything, so its start-up
	 * and artifact load (about 3 ms) run while PHP does other work, e.g. while WordPress loads and checks
	 * the password of a sign-in. Only when a one-shot process is the transport in use: pinned to `process`,
	 * or automatic without a daemon socket (with a socket the daemon answers; a process is only its
	 * fallback). The next request() of this PHP request that runs a process with the same command line
	 * takes it and writes its request line then, under the same timeout (counted from then) and failure
	 * policy as a process it starts itself. A process no request takes is killed and reaped at shutdown.
	 * Nothing but a request line is ever written to it, and no raw token or password is in a request.
	 */
	public function prime(): void {
		if ( null !== self::$primed || ! ( self::VIA_PROCESS === $this->pinned || ( null === $this->pinned && null === $this->socket ) ) ) {
			return;
		}
		$argv   = $this->argv();
		$primed = array( 'argv' => implode( "\0", $argv ) );
		try {
			if ( $this->uses_popen() ) {
				$primed['popen'] = Engine_Popen::start( $argv, (string) $this->run_dir );
			} else {
				[ $primed['process'], $primed['pipes'] ] = $this->spawn();
			}
		} catch ( Engine_Error $e ) {
			return; // The request starts its own process and meets the same error, handled there as always.
		}
		self::$primed = $primed;
		if ( ! self::$reaper ) {
			self::$reaper = true;
			register_shutdown_function( array( self::class, 'discard_primed' ) );
		}
	}

	/** Kills and reaps a primed process that no request took (at shutdown), so none is left running or a zombie. */
	public static function discard_primed(): void {
		if ( null === self::$primed ) {
			return;
		}
		$primed       = self::$primed;
		self::$primed = null;
		if ( isset( $primed['popen'] ) ) {
			$primed['popen']->discard();
			return;
		}
		foreach ( $primed['pipes'] as $pipe ) {
			if ( is_resource( $pipe ) ) {
				fclose( $pipe );
			}
		}
		proc_terminate( $primed['process'], 9 );
		proc_close( $primed['process'] );
	}

	/**
	 * Takes the process prime() started, when it runs this client's command line (and, with $popen_only,
	 * was started with popen()): no other request of this PHP request can take it afterwards.
	 *
	 * @param bool $popen_only Only a process started with popen().
	 */
	private function take_primed( bool $popen_only = false ): ?array {
		if ( null === self::$primed || implode( "\0", $this->argv() ) !== self::$primed['argv'] || ( $popen_only && ! isset( self::$primed['popen'] ) ) ) {
			return null;
		}
		$primed       = self::$primed;
		self::$primed = null;
		return $primed;
	}

	/** Whether one-shot processes start with popen() (see Engine_Popen) rather than proc_open(). */
	private function uses_popen(): bool {
		return null !== $this->run_dir && '' !== $this->run_dir && Engine_Popen::available()
			&& is_file( $this->binary ) && is_file( $this->artifact );
	}

	/** The one-shot command line. */
	private function argv(): array {
		return array_merge(
			array( $this->binary, 'call', '--artifact', $this->artifact ),
			'' !== $this->geo_db ? array( '--geo-db', $this->geo_db ) : array()
		);
	}

	/**
	 * Starts `session-warden-engine call` with pipes for stdin, stdout and stderr.
	 *
	 * @return array{0: resource, 1: array<int, resource>}
	 * @throws Engine_Error When no process can be started here.
	 */
	private function spawn(): array {
		if ( ! function_exists( 'proc_open' ) ) {
			throw new Engine_Error( 'proc_open is disabled on this server', 'no_proc_open' );
		}
		if ( ! is_file( $this->binary ) || ! is_file( $this->artifact ) ) {
			throw new Engine_Error( "the engine is missing: {$this->binary}, {$this->artifact}", 'engine_missing' );
		}
		$pipes   = array();
		$process = proc_open(
			$this->argv(),
			array(
				0 => array( 'pipe', 'r' ),
				1 => array( 'pipe', 'w' ),
				2 => array( 'pipe', 'w' ),
			),
			$pipes,
			null,
			array( 'LC_ALL' => 'C' )
		);
		if ( ! is_resource( $process ) ) {
			throw new Engine_Error( "could not start {$this->binary}", 'spawn_failed' );
		}
		foreach ( $pipes as $pipe ) {
			stream_set_blocking( $pipe, false );
		}
		return array( $process, $pipes );
	}

	/**
	 * One request through a one-shot process: the primed one if there is one, else a new one.
	 *
	 * @param string $line Request line.
	 */
	private function over_process( string $line ): string {
		$argv   = $this->argv();
		$primed = $this->take_primed();
		if ( isset( $primed['popen'] ) || ( null === $primed && $this->uses_popen() ) ) {
			try {
				$reply          = ( $primed['popen'] ?? Engine_Popen::start( $argv, (string) $this->run_dir ) )->ask( $line, $this->timeout );
				$this->last_via = self::VIA_PROCESS;
				return $reply;
			} catch ( Engine_Error $e ) {
				if ( ! in_array( $e->error_code, array( 'listen_failed', 'spawn_failed' ), true ) ) {
					throw $e;
				}
				// The run directory cannot hold the engine's socket (path too long, not private), or the shell popen()
				// runs could not start the engine (a policy may allow the web server fewer programs): proc_open() then,
				// which reports its own spawn_failed if the engine really cannot run here.
				$primed = null;
			}
		}
		if ( null !== $primed ) {
			$process = $primed['process'];
			$pipes   = $primed['pipes'];
		} else {
			[ $process, $pipes ] = $this->spawn();
		}

		$deadline = microtime( true ) + $this->timeout;
		$input    = $line . "\n";
		$output   = array(
			1 => '',
			2 => '',
		);
		$open     = array(
			1 => $pipes[1],
			2 => $pipes[2],
		);
		$stdin = $pipes[0];
		while ( $open || null !== $stdin ) {
			$left = $deadline - microtime( true );
			if ( $left <= 0 ) {
				proc_terminate( $process, 9 );
				proc_close( $process );
				throw new Engine_Error( "the engine did not answer within {$this->timeout} s", 'timeout' );
			}
			$read   = array_values( $open );
			$write  = null === $stdin ? array() : array( $stdin );
			$except = null;
			if ( false === stream_select( $read, $write, $except, 0, (int) min( $left * 1e6, 200000 ) ) ) {
				continue; // Interrupted by a signal; the deadline still holds.
			}
			if ( $write ) {
				$sent  = fwrite( $stdin, $input );
				$input = false === $sent ? '' : substr( $input, $sent );
				if ( '' === $input ) {
					fclose( $stdin );
					$stdin = null;
				}
			}
			foreach ( $open as $fd => $pipe ) {
				if ( in_array( $pipe, $read, true ) ) {
					$chunk        = fread( $pipe, 65536 );
					$output[ $fd ] .= (string) $chunk;
					if ( feof( $pipe ) ) {
						fclose( $pipe );
						unset( $open[ $fd ] );
					}
				}
			}
		}
		$status = proc_close( $process );
		if ( 0 !== $status ) {
			throw Engine_Error::exited( $status, $this->binary, trim( substr( $output[2], 0, 500 ) ) );
		}
		$this->last_via = self::VIA_PROCESS;
		return $output[1];
	}
}
