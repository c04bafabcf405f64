<?php
/**
 * Tools → Session Warden Engine: how the plugin reaches its engine right now, which engine and artifact
 * it runs, the last failure, measured round trips, and start/stop of the plugin-managed daemon.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

/**
 * Every figure on the page is measured when the page loads, by asking the engine: nothing is cached.
 * On multisite the page is also in the network admin (Settings), for manage_network_options; starting
 * or stopping the daemon, which the whole network shares, needs manage_network_options there too.
 */
final class Engine_Panel {

	public const SLUG = 'session-warden-engine';

	/** Form action names (also the nonce actions). */
	private const START = 'session_warden_daemon_start';
	private const STOP  = 'session_warden_daemon_stop';
	private const MODE  = 'session_warden_engine_mode_save';

	/** Values of Engine_Client::MODE_OPTION: auto (the default, stored as no option) or one transport. */
	public const MODES = array( 'auto', Engine_Client::VIA_SOCKET, Engine_Client::VIA_PROCESS, Engine_Client::VIA_RUNTIME );

	/** Version calls per transport for the round-trip median. */
	public const SAMPLES = 5;

	/** `admin_menu`: Tools → Session Warden Engine. */
	public static function add_page(): void {
		$hook = add_management_page(
			__( 'Session Warden Engine', 'session-warden' ),
			__( 'Session Warden Engine', 'session-warden' ),
			'manage_options',
			self::SLUG,
			array( self::class, 'render' )
		);
		self::hook_load( $hook );
	}

	/** `network_admin_menu`: Settings → Session Warden Engine in the network admin. */
	public static function add_network_page(): void {
		$hook = add_submenu_page(
			'settings.php',
			__( 'Session Warden Engine', 'session-warden' ),
			__( 'Session Warden Engine', 'session-warden' ),
			'manage_network_options',
			self::SLUG,
			array( self::class, 'render' )
		);
		self::hook_load( $hook );
	}

	/**
	 * @param string|false $hook Page hook suffix.
	 */
	private static function hook_load( $hook ): void {
		if ( $hook ) {
			add_action( 'load-' . $hook, array( self::class, 'handle_post' ) );
		}
	}

	/** The panel's URL in the current admin (network admin or site admin). */
	public static function url( array $args = array() ): string {
		$base = is_network_admin()
			? network_admin_url( 'settings.php?page=' . self::SLUG )
			: admin_url( 'tools.php?page=' . self::SLUG );
		return add_query_arg( $args, $base );
	}

	/** Who may start and stop the daemon: it serves every site of a network. */
	public static function manage_capability(): string {
		return is_multisite() ? 'manage_network_options' : 'manage_options';
	}

	/**
	 * A value for Engine_Client::MODE_OPTION: one of MODES, anything else is 'auto'.
	 *
	 * @param mixed $value Submitted or stored value.
	 */
	public static function sanitize_mode( $value ): string {
		$value = is_string( $value ) ? sanitize_key( $value ) : '';
		return in_array( $value, self::MODES, true ) ? $value : 'auto';
	}

	/** The engine selection as set: the SESSION_WARDEN_ENGINE_MODE constant, else the network-wide option. */
	private static function selected_mode(): string {
		return self::sanitize_mode(
			defined( 'SESSION_WARDEN_ENGINE_MODE' ) ? (string) SESSION_WARDEN_ENGINE_MODE : get_site_option( Engine_Client::MODE_OPTION, 'auto' )
		);
	}

	/** `load-{page}`: the engine selection and the Start and Stop buttons (POST, nonce, capability), then back to the page. */
	public static function handle_post(): void {
		if ( 'POST' !== ( $_SERVER['REQUEST_METHOD'] ?? '' ) || ! isset( $_POST['session_warden_action'] ) ) {
			return;
		}
		$action = sanitize_key( wp_unslash( $_POST['session_warden_action'] ) );
		if ( self::START !== $action && self::STOP !== $action && self::MODE !== $action ) {
			return;
		}
		check_admin_referer( $action );
		if ( ! current_user_can( self::manage_capability() ) ) {
			wp_die(
				esc_html(
					self::MODE === $action
						? __( 'Sorry, you are not allowed to choose the engine.', 'session-warden' )
						: __( 'Sorry, you are not allowed to manage the engine daemon.', 'session-warden' )
				),
				403
			);
		}
		if ( self::MODE === $action ) {
			self::save_mode();
			return;
		}
		if ( self::START === $action ) {
			$result = Daemon::host_managed()
				? new \WP_Error( 'session_warden_daemon_host_managed', __( 'The engine daemon is configured in wp-config.php; the plugin does not manage it.', 'session-warden' ) )
				: Daemon::start();
			$done   = true === $result ? 'started' : 'start_failed';
		} else {
			$result = Daemon::stop() ? true : new \WP_Error( 'session_warden_daemon_stop', __( 'The engine daemon could not be stopped.', 'session-warden' ) );
			$done   = true === $result ? 'stopped' : 'stop_failed';
		}
		if ( is_wp_error( $result ) ) {
			set_transient( 'session_warden_panel_error_' . get_current_user_id(), $result->get_error_message(), 300 );
		}
		wp_safe_redirect( self::url( array( 'sw_daemon' => $done ) ) );
		exit;
	}

	/** Saves the engine selection (the select is disabled when wp-config.php pins it), then back to the page. */
	private static function save_mode(): void {
		if ( defined( 'SESSION_WARDEN_ENGINE_MODE' ) ) {
			$done = 'mode_constant';
		} else {
			$mode = self::sanitize_mode( isset( $_POST['session_warden_engine_mode'] ) ? wp_unslash( $_POST['session_warden_engine_mode'] ) : 'auto' ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- sanitize_mode().
			if ( 'auto' === $mode ) {
				delete_site_option( Engine_Client::MODE_OPTION );
			} else {
				update_site_option( Engine_Client::MODE_OPTION, $mode );
			}
			Engine::reset();
			$done = 'mode_saved';
		}
		wp_safe_redirect( self::url( array( 'sw_daemon' => $done ) ) );
		exit;
	}

	/**
	 * What the panel shows, measured now. Public so that tests can check the figures against the page.
	 *
	 * @return array{mode:string, socket:?string, version:?string, errors:array<string, array>, sha256:?string,
	 *               expected_sha256:?string, round_trip:array<string, ?float>, serving:?string,
	 *               serving_error:?array, pinned:?string} mode is daemon, process, runtime or unavailable;
	 *               errors and round_trip (ms) are by transport (runtime only when it is the mode in use);
	 *               serving is the transport that answers requests now, as pinned or chosen automatically
	 *               (null with serving_error when none answered); pinned is Engine_Client::pinned_mode().
	 */
	public static function status(): array {
		$client   = Engine::client();
		$socket   = self::configured_socket();
		$versions = array();
		$errors   = array();

		// One request as the plugin makes them (no transport given): the pin or the automatic choice.
		$serving       = null;
		$serving_error = null;
		$current       = Engine_Client::from_plugin();
		try {
			$current->version();
			$serving = $current->last_via;
		} catch ( Engine_Error $e ) {
			$serving_error = array(
				'code'    => $e->error_code,
				'message' => $e->getMessage(),
			);
		}

		foreach ( array( Engine_Client::VIA_SOCKET, Engine_Client::VIA_PROCESS ) as $via ) {
			if ( Engine_Client::VIA_SOCKET === $via && null === $socket ) {
				$errors[ $via ] = array(
					'code'    => 'daemon_unreachable',
					'message' => __( 'no engine daemon socket is configured', 'session-warden' ),
				);
				continue;
			}
			try {
				$versions[ $via ] = $client->version( $via );
			} catch ( Engine_Error $e ) {
				$errors[ $via ] = array(
					'code'    => $e->error_code,
					'message' => $e->getMessage(),
				);
			}
		}
		// Where no engine binary can run, Engine_Client falls back to its PHP WebAssembly runtime: asked
		// only then, because it is much slower.
		$runtime = Engine_Client::VIA_RUNTIME;
		if ( ! $versions ) {
			try {
				$versions[ $runtime ] = $client->version( $runtime );
			} catch ( Engine_Error $e ) {
				$errors[ $runtime ] = array(
					'code'    => $e->error_code,
					'message' => $e->getMessage(),
				);
			}
		}
		if ( isset( $versions[ Engine_Client::VIA_SOCKET ] ) ) {
			$mode = 'daemon';
		} elseif ( isset( $versions[ Engine_Client::VIA_PROCESS ] ) ) {
			$mode = 'process';
		} elseif ( isset( $versions[ $runtime ] ) ) {
			$mode = 'runtime';
		} else {
			$mode = 'unavailable';
		}

		$round_trip = array();
		foreach ( array_keys( self::transports() ) as $via ) {
			if ( isset( $versions[ $via ] ) || $runtime !== $via ) {
				$round_trip[ $via ] = isset( $versions[ $via ] ) ? self::median_ms( $client, $via ) : null;
			}
		}

		$artifact = PLUGIN_DIR . 'engine/' . Engine_Client::ARTIFACT;
		return array(
			'mode'            => $mode,
			'socket'          => $socket,
			'version'         => $versions[ Engine_Client::VIA_SOCKET ] ?? $versions[ Engine_Client::VIA_PROCESS ] ?? $versions[ $runtime ] ?? null,
			'errors'          => $errors,
			'sha256'          => is_readable( $artifact ) ? hash_file( 'sha256', $artifact ) : null,
			'expected_sha256' => self::expected_sha256( Engine_Client::ARTIFACT ),
			'round_trip'      => $round_trip,
			'serving'         => $serving,
			'serving_error'   => $serving_error,
			'pinned'          => Engine_Client::pinned_mode(),
		);
	}

	/** Transports and their labels, in the order Engine_Client tries them. */
	private static function transports(): array {
		return array(
			Engine_Client::VIA_SOCKET  => __( 'Daemon (unix socket)', 'session-warden' ),
			Engine_Client::VIA_PROCESS => __( 'One-shot process', 'session-warden' ),
			Engine_Client::VIA_RUNTIME => __( 'PHP WebAssembly runtime', 'session-warden' ),
		);
	}

	/** The socket Engine_Client uses (constant, filter, or the plugin's daemon), or null. */
	private static function configured_socket(): ?string {
		$socket = defined( 'SESSION_WARDEN_ENGINE_SOCKET' ) ? (string) SESSION_WARDEN_ENGINE_SOCKET : null;
		$socket = apply_filters( 'session_warden_engine_socket', $socket );
		return is_string( $socket ) && '' !== $socket ? $socket : null;
	}

	/**
	 * Median of SAMPLES `version` round trips through one transport, in milliseconds; null if one failed.
	 *
	 * @param Engine_Client $client Client.
	 * @param string        $via    Transport.
	 */
	private static function median_ms( Engine_Client $client, string $via ): ?float {
		$times = array();
		for ( $i = 0; $i < self::SAMPLES; $i++ ) {
			$t0 = microtime( true );
			try {
				$client->version( $via );
			} catch ( Engine_Error $e ) {
				return null;
			}
			$times[] = ( microtime( true ) - $t0 ) * 1000;
		}
		sort( $times );
		return $times[ intdiv( count( $times ), 2 ) ];
	}

	/**
	 * The artifact's SHA-256 as listed in engine/SHA256SUMS (sha256sum format), or null.
	 *
	 * @param string $name File name.
	 */
	private static function expected_sha256( string $name ): ?string {
		$file = PLUGIN_DIR . 'engine/SHA256SUMS';
		if ( ! is_readable( $file ) ) {
			return null;
		}
		foreach ( file( $file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES ) ?: array() as $line ) {
			if ( preg_match( '/^([0-9a-f]{64}) [ *](.+)$/i', trim( $line ), $m ) && basename( $m[2] ) === $name ) {
				return strtolower( $m[1] );
			}
		}
		return null;
	}

	/**
	 * A time in the site's timezone and format, with how long ago it was.
	 *
	 * @param int $time Unix time.
	 */
	public static function human_time( int $time ): string {
		return sprintf(
			/* translators: 1: date and time, 2: human time difference such as "5 mins". */
			__( '%1$s (%2$s ago)', 'session-warden' ),
			wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $time ),
			human_time_diff( $time )
		);
	}

	/** The page. */
	public static function render(): void {
		$network = is_network_admin();
		if ( ! current_user_can( $network ? 'manage_network_options' : 'manage_options' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to access this page.', 'session-warden' ), 403 );
		}
		$status = self::status();
		$last   = Engine::last_error();
		$marker = Daemon::marker();
		?>
		<div class="wrap" id="session-warden-engine">
			<h1><?php echo esc_html__( 'Session Warden Engine', 'session-warden' ); ?></h1>
			<?php self::render_result(); ?>
			<table class="form-table" role="presentation">
				<tbody>
					<tr>
						<th scope="row"><?php echo esc_html__( 'Mode', 'session-warden' ); ?></th>
						<td id="sw-engine-mode" data-mode="<?php echo esc_attr( $status['mode'] ); ?>" data-via="<?php echo esc_attr( (string) $status['serving'] ); ?>" data-pinned="<?php echo esc_attr( (string) $status['pinned'] ); ?>">
							<?php
							$pinned = null !== $status['pinned'];
							if ( Engine_Client::VIA_SOCKET === $status['serving'] ) {
								/* translators: %s: unix socket path. */
								$serving = sprintf( __( 'daemon (unix socket %s)', 'session-warden' ), (string) $status['socket'] );
							} elseif ( Engine_Client::VIA_PROCESS === $status['serving'] ) {
								$serving = __( 'one-shot process', 'session-warden' );
							} elseif ( Engine_Client::VIA_RUNTIME === $status['serving'] ) {
								$serving = $pinned
									? __( 'PHP WebAssembly runtime', 'session-warden' )
									: __( 'PHP WebAssembly runtime (no engine binary can run here; slower)', 'session-warden' );
							} else {
								$serving = __( 'unavailable', 'session-warden' );
							}
							echo '<span id="sw-engine-serving">' . esc_html( $pinned ? sprintf( /* translators: %s: transport. */ __( '%s (pinned)', 'session-warden' ), $serving ) : $serving ) . '</span>';
							if ( null !== $status['serving_error'] ) {
								printf(
									'<p class="description">%s</p>',
									/* translators: 1: error code, 2: error message. */
									esc_html( sprintf( __( 'No engine answered: %1$s: %2$s', 'session-warden' ), $status['serving_error']['code'], $status['serving_error']['message'] ) )
								);
							}
							foreach ( $status['errors'] as $via => $error ) {
								if ( Engine_Client::VIA_SOCKET === $via && null === $status['socket'] ) {
									continue;
								}
								$label = self::transports()[ $via ] ?? $via;
								printf(
									'<p class="description">%s</p>',
									/* translators: 1: transport, 2: error code, 3: error message. */
									esc_html( sprintf( __( '%1$s: %2$s: %3$s', 'session-warden' ), $label, $error['code'], $error['message'] ) )
								);
							}
							?>
						</td>
					</tr>
					<tr>
						<th scope="row"><?php echo esc_html__( 'Engine version', 'session-warden' ); ?></th>
						<td id="sw-engine-version"><?php echo esc_html( $status['version'] ?? __( 'unknown (the engine did not answer)', 'session-warden' ) ); ?></td>
					</tr>
					<tr>
						<th scope="row"><?php echo esc_html__( 'Artifact SHA-256', 'session-warden' ); ?></th>
						<td>
							<code id="sw-engine-sha256"><?php echo esc_html( $status['sha256'] ?? __( 'missing', 'session-warden' ) ); ?></code>
							<?php if ( null !== $status['expected_sha256'] ) : ?>
								<p class="description">
									<?php
									/* translators: %s: SHA-256 hex digest. */
									echo esc_html( sprintf( __( 'Expected (engine/SHA256SUMS): %s', 'session-warden' ), $status['expected_sha256'] ) );
									?>
								</p>
								<?php if ( $status['expected_sha256'] === $status['sha256'] ) : ?>
									<p id="sw-engine-sha256-match" data-match="yes">
										<span class="dashicons dashicons-yes" aria-hidden="true"></span>
										<?php echo esc_html__( 'matches', 'session-warden' ); ?>
									</p>
								<?php else : ?>
									<p id="sw-engine-sha256-match" data-match="no">
										<span class="dashicons dashicons-warning" aria-hidden="true"></span>
										<strong><?php echo esc_html__( 'does not match: the engine files are not the ones this plugin version shipped', 'session-warden' ); ?></strong>
									</p>
								<?php endif; ?>
							<?php else : ?>
								<p class="description"><?php echo esc_html__( 'engine/SHA256SUMS is missing: nothing to compare with.', 'session-warden' ); ?></p>
							<?php endif; ?>
						</td>
					</tr>
					<tr>
						<th scope="row"><?php echo esc_html__( 'Last error', 'session-warden' ); ?></th>
						<td id="sw-engine-last-error">
							<?php
							if ( null === $last ) {
								echo esc_html__( 'none', 'session-warden' );
							} else {
								echo esc_html(
									sprintf(
										/* translators: 1: time, 2: engine op, 3: error code, 4: message. */
										__( '%1$s, op %2$s: %3$s: %4$s', 'session-warden' ),
										self::human_time( (int) ( $last['time'] ?? 0 ) ),
										(string) ( $last['op'] ?? '' ),
										(string) ( $last['code'] ?? '' ),
										(string) ( $last['message'] ?? '' )
									)
								);
							}
							?>
						</td>
					</tr>
				</tbody>
			</table>

			<h2><?php echo esc_html__( 'Which engine serves this site', 'session-warden' ); ?></h2>
			<?php self::render_mode_form(); ?>

			<h2><?php echo esc_html__( 'Round trip', 'session-warden' ); ?></h2>
			<p>
				<?php
				/* translators: %d: number of calls. */
				echo esc_html( sprintf( __( 'Median of %d "version" calls, measured now.', 'session-warden' ), self::SAMPLES ) );
				?>
			</p>
			<table class="widefat striped" id="sw-engine-round-trip" style="max-width: 40em">
				<thead>
					<tr>
						<th scope="col"><?php echo esc_html__( 'Transport', 'session-warden' ); ?></th>
						<th scope="col"><?php echo esc_html__( 'Median round trip', 'session-warden' ); ?></th>
					</tr>
				</thead>
				<tbody>
					<?php
					foreach ( self::transports() as $via => $label ) :
						if ( ! array_key_exists( $via, $status['round_trip'] ) ) {
							continue;
						}
						$ms = $status['round_trip'][ $via ];
						?>
						<tr data-via="<?php echo esc_attr( $via ); ?>" data-ms="<?php echo esc_attr( null === $ms ? '' : sprintf( '%.3f', $ms ) ); ?>">
							<td><?php echo esc_html( $label ); ?></td>
							<td>
								<?php
								echo esc_html(
									null === $ms
										? __( 'not available', 'session-warden' )
										/* translators: %s: milliseconds. */
										: sprintf( __( '%s ms', 'session-warden' ), number_format_i18n( $ms, 2 ) )
								);
								?>
							</td>
						</tr>
					<?php endforeach; ?>
				</tbody>
			</table>

			<h2><?php echo esc_html__( 'Engine daemon', 'session-warden' ); ?></h2>
			<?php self::render_daemon( $status, $marker ); ?>
		</div>
		<?php
	}

	/** The notice after a Start or Stop. */
	private static function render_result(): void {
		$done = isset( $_GET['sw_daemon'] ) ? sanitize_key( wp_unslash( $_GET['sw_daemon'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification.Recommended
		if ( '' === $done ) {
			return;
		}
		$messages = array(
			'started'       => array( 'success', __( 'The engine daemon was started.', 'session-warden' ) ),
			'stopped'       => array( 'success', __( 'The engine daemon was stopped.', 'session-warden' ) ),
			'start_failed'  => array( 'error', __( 'The engine daemon could not be started.', 'session-warden' ) ),
			'stop_failed'   => array( 'error', __( 'The engine daemon could not be stopped.', 'session-warden' ) ),
			'mode_saved'    => array( 'success', __( 'The engine selection was saved.', 'session-warden' ) ),
			'mode_constant' => array( 'error', __( 'The engine is pinned in wp-config.php (SESSION_WARDEN_ENGINE_MODE): the selection was not changed.', 'session-warden' ) ),
		);
		if ( ! isset( $messages[ $done ] ) ) {
			return;
		}
		$key    = 'session_warden_panel_error_' . get_current_user_id();
		$detail = 'error' === $messages[ $done ][0] ? (string) get_transient( $key ) : '';
		delete_transient( $key );
		printf(
			'<div class="notice notice-%1$s" id="sw-daemon-result"><p>%2$s%3$s</p></div>',
			esc_attr( $messages[ $done ][0] ),
			esc_html( $messages[ $done ][1] ),
			'' === $detail ? '' : ' ' . esc_html( $detail )
		);
	}

	/** The engine selection: a select saved to Engine_Client::MODE_OPTION, disabled when wp-config.php pins it. */
	private static function render_mode_form(): void {
		$constant = defined( 'SESSION_WARDEN_ENGINE_MODE' );
		$disabled = $constant || ! current_user_can( self::manage_capability() );
		$selected = self::selected_mode();
		$labels   = array(
			'auto'                     => __( 'Automatic (daemon, then one-shot process, then the PHP WebAssembly runtime)', 'session-warden' ),
			Engine_Client::VIA_SOCKET  => __( 'Daemon only', 'session-warden' ),
			Engine_Client::VIA_PROCESS => __( 'One-shot process only', 'session-warden' ),
			Engine_Client::VIA_RUNTIME => __( 'PHP WebAssembly runtime only', 'session-warden' ),
		);
		?>
		<form method="post" action="<?php echo esc_url( self::url() ); ?>" id="sw-engine-mode-form">
			<?php wp_nonce_field( self::MODE ); ?>
			<input type="hidden" name="session_warden_action" value="<?php echo esc_attr( self::MODE ); ?>" />
			<p>
				<label for="sw-engine-mode-select"><?php echo esc_html__( 'Engine', 'session-warden' ); ?></label>
				<select name="session_warden_engine_mode" id="sw-engine-mode-select"<?php disabled( $disabled ); ?>>
					<?php foreach ( $labels as $value => $label ) : ?>
						<option value="<?php echo esc_attr( $value ); ?>"<?php selected( $selected, $value ); ?>><?php echo esc_html( $label ); ?></option>
					<?php endforeach; ?>
				</select>
			</p>
			<?php if ( $constant ) : ?>
				<p class="description" id="sw-engine-mode-constant">
					<?php
					/* translators: %s: value of the constant. */
					echo esc_html( sprintf( __( 'wp-config.php pins the engine (SESSION_WARDEN_ENGINE_MODE = %s): change it there.', 'session-warden' ), (string) SESSION_WARDEN_ENGINE_MODE ) );
					?>
				</p>
			<?php else : ?>
				<p class="description">
					<?php
					echo esc_html(
						is_multisite()
							? __( 'Pinning one transport makes every engine call use it, with no fallback. The setting applies to every site of the network.', 'session-warden' )
							: __( 'Pinning one transport makes every engine call use it, with no fallback.', 'session-warden' )
					);
					?>
				</p>
				<?php
				if ( ! $disabled ) {
					submit_button( __( 'Save engine selection', 'session-warden' ), 'primary', 'submit', false, array( 'id' => 'sw-engine-mode-save' ) );
				}
				?>
			<?php endif; ?>
		</form>
		<?php
	}

	/**
	 * The plugin-managed daemon: state and Start/Stop.
	 *
	 * @param array      $status status().
	 * @param array|null $marker Daemon::marker().
	 */
	private static function render_daemon( array $status, ?array $marker ): void {
		$may = current_user_can( self::manage_capability() );
		if ( Daemon::host_managed() ) {
			echo '<p>' . esc_html(
				sprintf(
					/* translators: %s: unix socket path. */
					__( 'The daemon socket is set in wp-config.php (SESSION_WARDEN_ENGINE_SOCKET = %s); the host runs that daemon, the plugin does not start or stop it.', 'session-warden' ),
					(string) SESSION_WARDEN_ENGINE_SOCKET
				)
			) . '</p>';
			if ( 'daemon' !== $status['mode'] ) {
				echo '<p>' . esc_html__( 'That daemon does not answer: engine calls use the fallback shown above until it is back.', 'session-warden' ) . '</p>';
			}
			return;
		}
		if ( Daemon::running() ) {
			$pid = Daemon::pid();
			echo '<p id="sw-daemon-state" data-state="running">' . esc_html(
				sprintf(
					/* translators: 1: unix socket path, 2: process id, 3: time. */
					__( 'The plugin started the engine daemon on %1$s (process %2$s) on %3$s.', 'session-warden' ),
					Daemon::socket_path(),
					null === $pid ? '?' : (string) $pid,
					null === $marker ? '?' : self::human_time( (int) ( $marker['started_at'] ?? 0 ) )
				)
			) . '</p>';
			if ( $may ) {
				self::render_button( self::STOP, __( 'Stop the engine daemon', 'session-warden' ), 'secondary' );
			}
			return;
		}
		if ( 'daemon' === $status['mode'] ) {
			echo '<p>' . esc_html__( 'An engine daemon that the plugin did not start is answering.', 'session-warden' ) . '</p>';
			return;
		}
		$reason = Daemon::cannot_start_reason();
		$how = array(
			'process'     => __( 'No engine daemon is running: every engine call starts a one-shot process. A daemon answers faster.', 'session-warden' ),
			'runtime'     => __( 'No engine daemon is running, and no engine process can start: every engine call runs in the slower PHP WebAssembly runtime.', 'session-warden' ),
			'unavailable' => __( 'No engine daemon is running, and the engine cannot run at all here.', 'session-warden' ),
		);
		echo '<p id="sw-daemon-state" data-state="stopped">' . esc_html( $how[ $status['mode'] ] ?? $how['process'] ) . '</p>';
		if ( null !== $reason ) {
			echo '<p>' . esc_html(
				sprintf(
					/* translators: %s: reason. */
					__( 'The plugin cannot start the daemon on this server: %s', 'session-warden' ),
					$reason->get_error_message()
				)
			) . '</p>';
			return;
		}
		if ( $may ) {
			self::render_button( self::START, __( 'Start the engine daemon', 'session-warden' ), 'primary' );
			echo '<p class="description">' . esc_html(
				sprintf(
					/* translators: %s: unix socket path. */
					__( 'The daemon runs as the web server\'s user with its socket at %s and is restarted if it stops. Hosts that prefer systemd can use docs/session-warden-engine.service instead.', 'session-warden' ),
					Daemon::socket_path()
				)
			) . '</p>';
		}
	}

	/**
	 * A POST form with one button.
	 *
	 * @param string $action Action (and nonce action).
	 * @param string $label  Button text.
	 * @param string $class  submit_button() type: primary or secondary.
	 */
	private static function render_button( string $action, string $label, string $class ): void {
		?>
		<form method="post" action="<?php echo esc_url( self::url() ); ?>">
			<?php wp_nonce_field( $action ); ?>
			<input type="hidden" name="session_warden_action" value="<?php echo esc_attr( $action ); ?>" />
			<?php submit_button( $label, $class, 'submit', false, array( 'id' => $action ) ); ?>
		</form>
		<?php
	}
}
