<?php
/**
 * REST routes of the settings screen, under session-warden/v1:
 *
 *   GET    /settings              {settings, source, scope, network}   the document as the engine completes it
 *   PUT    /settings (POST, PATCH) {"settings":{…}}                     Settings::save(), every field error on 400
 *   DELETE /settings              drops this scope's own document (a site then uses the network's again)
 *   GET    /settings/export       the document as a JSON file
 *   POST   /settings/import       a settings document (as exported)    like save
 *   GET    /settings/detected-ip  what the engine makes of the request in hand (proxies, client, device, country)
 *   GET|POST|DELETE /settings/geo the uploaded country database (Geo_Upload)
 *
 * Every route takes `scope` (site | network; network only on multisite, for manage_network_options).
 * Nothing here interprets a setting: the engine validates and normalises the document, and a document
 * with any field error is not stored at all.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Rest_Settings {

	public const NAMESPACE = 'session-warden/v1';

	private static bool $registered = false;

	/**
	 * `rest_api_init` (hooked in Plugin's [settings-rest] section). Safe to call twice: the routes are
	 * registered once.
	 */
	public static function register_routes(): void {
		if ( self::$registered ) {
			return;
		}
		self::$registered = true;
		$scope = array(
			'scope' => array(
				'description' => __( 'Which settings: this site\'s, or the network\'s (multisite).', 'session-warden' ),
				'type'        => 'string',
				'enum'        => array( 'site', 'network' ),
				'default'     => 'site',
			),
		);

		register_rest_route(
			self::NAMESPACE,
			'/settings',
			array(
				array(
					'methods'             => \WP_REST_Server::READABLE,
					'callback'            => array( self::class, 'get_settings' ),
					'permission_callback' => array( self::class, 'can_manage' ),
					'args'                => $scope,
				),
				array(
					'methods'             => \WP_REST_Server::EDITABLE, // POST, PUT, PATCH: the whole document each time.
					'callback'            => array( self::class, 'save_settings' ),
					'permission_callback' => array( self::class, 'can_manage' ),
					'args'                => $scope + array(
						'settings'     => array(
							'description' => __( 'The settings document.', 'session-warden' ),
							'type'        => 'object',
							'required'    => true,
						),
						'base_version' => array(
							'description' => __( 'The version the editor started from; a newer stored version is a conflict.', 'session-warden' ),
							'type'        => 'integer',
						),
					),
				),
				array(
					'methods'             => \WP_REST_Server::DELETABLE,
					'callback'            => array( self::class, 'reset_settings' ),
					'permission_callback' => array( self::class, 'can_manage' ),
					'args'                => $scope,
				),
			)
		);

		register_rest_route(
			self::NAMESPACE,
			'/settings/export',
			array(
				'methods'             => \WP_REST_Server::READABLE,
				'callback'            => array( self::class, 'export_settings' ),
				'permission_callback' => array( self::class, 'can_manage' ),
				'args'                => $scope,
			)
		);

		register_rest_route(
			self::NAMESPACE,
			'/settings/import',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( self::class, 'import_settings' ),
				'permission_callback' => array( self::class, 'can_manage' ),
				'args'                => $scope,
			)
		);

		register_rest_route(
			self::NAMESPACE,
			'/settings/detected-ip',
			array(
				'methods'             => \WP_REST_Server::READABLE,
				'callback'            => array( self::class, 'detected_ip' ),
				'permission_callback' => array( self::class, 'can_manage' ),
				'args'                => array(
					'header' => array(
						'description' => __( 'A custom client-IP header to read as well (a name not yet saved).', 'session-warden' ),
						'type'        => 'string',
						'default'     => '',
					),
				),
			)
		);

		register_rest_route(
			self::NAMESPACE,
			'/settings/geo',
			array(
				array(
					'methods'             => \WP_REST_Server::READABLE,
					'callback'            => array( self::class, 'geo_info' ),
					'permission_callback' => array( self::class, 'can_manage' ),
				),
				array(
					'methods'             => \WP_REST_Server::CREATABLE,
					'callback'            => array( self::class, 'geo_upload' ),
					'permission_callback' => array( self::class, 'can_manage_geo' ),
				),
				array(
					'methods'             => \WP_REST_Server::DELETABLE,
					'callback'            => array( self::class, 'geo_remove' ),
					'permission_callback' => array( self::class, 'can_manage_geo' ),
				),
			)
		);
	}

	/**
	 * Permission: manage_options for a site's settings, manage_network_options for the network's.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return true|\WP_Error
	 */
	public static function can_manage( \WP_REST_Request $request ) {
		$network = 'network' === $request['scope'];
		if ( $network && ! is_multisite() ) {
			return new \WP_Error( 'session_warden_no_network', __( 'Network settings exist only on a multisite network.', 'session-warden' ), array( 'status' => 400 ) );
		}
		if ( current_user_can( $network ? 'manage_network_options' : 'manage_options' ) ) {
			return true;
		}
		return new \WP_Error(
			'rest_forbidden',
			__( 'Sorry, you are not allowed to manage the Session Warden settings.', 'session-warden' ),
			array( 'status' => rest_authorization_required_code() )
		);
	}

	/**
	 * Permission for the country database, which every site of a network shares.
	 *
	 * @return true|\WP_Error
	 */
	public static function can_manage_geo() {
		if ( current_user_can( Geo_Upload::capability() ) ) {
			return true;
		}
		return new \WP_Error(
			'rest_forbidden',
			is_multisite()
				? __( 'Only a network administrator may change the country database, because every site of the network uses it.', 'session-warden' )
				: __( 'Sorry, you are not allowed to change the country database.', 'session-warden' ),
			array( 'status' => rest_authorization_required_code() )
		);
	}

	/**
	 * GET /settings.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function get_settings( \WP_REST_Request $request ): \WP_REST_Response {
		return new \WP_REST_Response( self::describe( self::scope( $request ) ) );
	}

	/**
	 * PUT|POST /settings.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function save_settings( \WP_REST_Request $request ) {
		$scope = self::scope( $request );
		$doc   = $request['settings'];
		if ( ! is_array( $doc ) ) {
			return new \WP_Error( 'session_warden_bad_request', __( 'Send the settings as a JSON object in "settings".', 'session-warden' ), array( 'status' => 400 ) );
		}
		if ( null !== $request['base_version'] && (int) $request['base_version'] !== self::stored_version( $scope ) ) {
			return new \WP_Error(
				'session_warden_settings_conflict',
				__( 'The settings were changed elsewhere after you opened this page, so yours were not saved. Reload the page to see the current settings, then make your changes again.', 'session-warden' ),
				array( 'status' => 409 )
			);
		}
		return self::save( $doc, $scope );
	}

	/**
	 * DELETE /settings: a site goes back to the network's settings (or the defaults).
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function reset_settings( \WP_REST_Request $request ): \WP_REST_Response {
		$scope = self::scope( $request );
		Settings::reset( $scope );
		return new \WP_REST_Response( self::describe( $scope ) );
	}

	/**
	 * GET /settings/export: the stored document (or the defaults), as a file download.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function export_settings( \WP_REST_Request $request ): \WP_REST_Response {
		$scope    = self::scope( $request );
		$doc      = self::describe( $scope )['settings'];
		$host     = sanitize_file_name( (string) wp_parse_url( home_url(), PHP_URL_HOST ) );
		$filename = sprintf( 'session-warden-settings-%s%s-%s.json', $host, 'network' === $scope ? '-network' : '', gmdate( 'Y-m-d' ) );
		$response = new \WP_REST_Response( $doc );
		$response->header( 'Content-Disposition', 'attachment; filename="' . $filename . '"' );
		$response->header( 'Cache-Control', 'no-store' );
		return $response;
	}

	/**
	 * POST /settings/import: the body is a settings document, as exported. A body shaped like GET
	 * /settings's answer ({"settings": {…}, …}) is accepted too, since people save that as well.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function import_settings( \WP_REST_Request $request ) {
		$body = trim( (string) $request->get_body() );
		if ( '' === $body ) {
			return new \WP_Error( 'session_warden_bad_request', __( 'The import is empty: send the contents of an exported settings file.', 'session-warden' ), array( 'status' => 400 ) );
		}
		$doc = json_decode( $body, true );
		if ( ! is_array( $doc ) || ( array() !== $doc && array_is_list( $doc ) ) ) {
			return new \WP_Error(
				'session_warden_bad_request',
				/* translators: %s: JSON parser message. */
				sprintf( __( 'The file is not a Session Warden settings file: it must be one JSON object (%s).', 'session-warden' ), JSON_ERROR_NONE === json_last_error() ? __( 'this is not an object', 'session-warden' ) : json_last_error_msg() ),
				array( 'status' => 400 )
			);
		}
		if ( isset( $doc['settings'] ) && is_array( $doc['settings'] ) && ! array_diff( array_keys( $doc ), array( 'settings', 'source', 'scope', 'network' ) ) ) {
			$doc = $doc['settings'];
		}
		return self::save( $doc, self::scope( $request ) );
	}

	/**
	 * GET /settings/detected-ip: the facts of this very request, and the client the engine resolves from
	 * them with the saved proxy settings. The screen resolves the same facts again in the browser with
	 * the unsaved settings, so a site owner sees what a proxy change would do before saving it.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function detected_ip( \WP_REST_Request $request ) {
		$facts  = Request_Facts::current();
		$header = trim( (string) $request['header'] );
		if ( '' !== $header && preg_match( '/^[A-Za-z0-9_-]{1,64}$/', $header ) ) {
			$key  = 'HTTP_' . strtoupper( str_replace( '-', '_', $header ) );
			$have = array_map( 'strtolower', array_column( $facts['headers'], 'name' ) );
			if ( ! in_array( strtolower( $header ), $have, true ) && isset( $_SERVER[ $key ] ) && is_string( $_SERVER[ $key ] ) && '' !== $_SERVER[ $key ] ) {
				$facts['headers'][] = array(
					'name'  => $header,
					'value' => substr( wp_unslash( $_SERVER[ $key ] ), 0, 2048 ), // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- parsed by the engine.
				);
			}
		}
		try {
			$client = Engine::ask(
				'resolve_client_ip',
				array(
					'settings'    => (object) ( Settings::current()['client_ip'] ?? array() ),
					'remote_addr' => $facts['remote_addr'],
					'headers'     => $facts['headers'],
				)
			);
			$device  = Engine::ask( 'describe_ua', array( 'ua' => $facts['ua'] ) );
			$country = '';
			$ip      = (string) ( $client['ip'] ?? '' );
			if ( '' !== $ip && '' !== Engine_Client::configured_geo_db() ) {
				try {
					$country = (string) Engine::ask( 'geo_country', array( 'ip' => $ip ) );
				} catch ( Engine_Error $e ) {
					$country = '';
				}
			}
		} catch ( Engine_Error $e ) {
			return self::engine_error( $e );
		}
		return new \WP_REST_Response(
			array(
				'facts'   => $facts,
				'client'  => $client,
				'device'  => $device,
				'country' => $country,
			)
		);
	}

	/** GET /settings/geo. */
	public static function geo_info(): \WP_REST_Response {
		return new \WP_REST_Response( Geo_Upload::info() );
	}

	/**
	 * POST /settings/geo: multipart upload, field `file`.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function geo_upload( \WP_REST_Request $request ) {
		$files = $request->get_file_params();
		if ( empty( $files['file'] ) || ! is_array( $files['file'] ) ) {
			return new \WP_Error( 'session_warden_geo_no_file', __( 'Choose a country database file (.mmdb) to upload.', 'session-warden' ), array( 'status' => 400 ) );
		}
		$stored = Geo_Upload::store( $files['file'] );
		return is_wp_error( $stored ) ? $stored : new \WP_REST_Response( Geo_Upload::info() );
	}

	/** DELETE /settings/geo. */
	public static function geo_remove(): \WP_REST_Response {
		Geo_Upload::remove();
		return new \WP_REST_Response( Geo_Upload::info() );
	}

	/**
	 * Saves through the engine and answers as GET does, or with every field error.
	 *
	 * @param array  $doc   Settings document.
	 * @param string $scope site | network.
	 * @return \WP_REST_Response|\WP_Error
	 */
	private static function save( array $doc, string $scope ) {
		$saved = Settings::save( $doc, $scope );
		if ( is_wp_error( $saved ) ) {
			return $saved;
		}
		return new \WP_REST_Response( self::describe( $scope ) );
	}

	/**
	 * The settings of a scope as the screen edits them, with where they came from.
	 *
	 * @param string $scope site | network.
	 * @return array{settings: object, source: string, scope: string, network: bool}
	 */
	public static function describe( string $scope ): array {
		if ( 'network' === $scope ) {
			$stored = get_site_option( Settings::OPTION );
			$source = is_array( $stored ) ? 'network' : 'defaults';
			$doc    = is_array( $stored ) ? $stored : array();
		} else {
			$doc    = Settings::current();
			$source = Settings::source();
		}
		return array(
			'settings' => self::complete( $doc ),
			'source'   => $source,
			'scope'    => $scope,
			// Whether a network document exists for a site to fall back to.
			'network'  => is_multisite() && is_array( get_site_option( Settings::OPTION ) ),
		);
	}

	/**
	 * The document with every field the engine knows, defaults filled in: a document stored before a
	 * field existed (or nothing stored) is shown as the engine will read it. When the engine cannot
	 * answer, the stored document as it is.
	 *
	 * @param array $doc Stored document.
	 */
	private static function complete( array $doc ): object {
		try {
			$reply = Engine::ask( 'validate_settings', array( 'settings' => (object) $doc ) );
			if ( ! empty( $reply['valid'] ) && is_array( $reply['settings'] ?? null ) ) {
				$doc = $reply['settings'];
			}
		} catch ( Engine_Error $e ) {
			// Shown as stored; the screen says the engine is unavailable when saving fails.
			unset( $e );
		}
		// JSON objects come back from json_decode as arrays; keep the document an object even when empty.
		return (object) $doc;
	}

	private static function stored_version( string $scope ): int {
		$stored = 'network' === $scope ? get_site_option( Settings::OPTION ) : Settings::current();
		return is_array( $stored ) ? (int) ( $stored['version'] ?? 0 ) : 0;
	}

	private static function scope( \WP_REST_Request $request ): string {
		return 'network' === $request['scope'] && is_multisite() ? 'network' : 'site';
	}

	private static function engine_error( Engine_Error $e ): \WP_Error {
		return new \WP_Error(
			'session_warden_engine',
			/* translators: %s: engine error. */
			sprintf( __( 'The Session Warden engine could not answer: %s', 'session-warden' ), $e->getMessage() ),
			array( 'status' => 503 )
		);
	}
}
