<?php
/**
 * The country database a site owner uploads on the settings screen (a MaxMind-format .mmdb file, such as
 * GeoLite2 Country), for country limits and the country-anomaly flag.
 *
 * The file is kept in wp-content/session-warden/ under a random name, beside an .htaccess that denies
 * web access and an empty index.php: the database is licensed data, not a public download. The engine
 * reads it before it is kept (`geo_info`), so a file that is not a country database is refused with the
 * engine's reason. It reaches the engine through the `session_warden_geo_db` filter
 * (Engine_Client::configured_geo_db); a SESSION_WARDEN_GEO_DB constant in wp-config.php wins over it.
 *
 * One database serves the whole network (sessions are network-wide), so on multisite only network
 * administrators may change it.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Geo_Upload {

	/** Network-wide option: {path, name, size, time} of the stored file (name: as uploaded). */
	public const OPTION = 'session_warden_geo_db';

	/** Largest accepted file: the full GeoLite2 Country database is about 10 MB. */
	public const MAX_BYTES = 64 * 1024 * 1024;

	public static function capability(): string {
		return is_multisite() ? 'manage_network_options' : 'manage_options';
	}

	/**
	 * `session_warden_geo_db` filter: the uploaded database, unless wp-config.php (or an earlier filter)
	 * already named one.
	 *
	 * @param string $db Path so far.
	 */
	public static function filter_db( $db ): string {
		$db = (string) $db;
		if ( '' !== $db ) {
			return $db;
		}
		$stored = self::stored_path();
		return null !== $stored && is_readable( $stored ) ? $stored : '';
	}

	/** The uploaded file's path, or null. */
	public static function stored_path(): ?string {
		$stored = get_site_option( self::OPTION );
		return is_array( $stored ) && is_string( $stored['path'] ?? null ) && '' !== $stored['path'] ? $stored['path'] : null;
	}

	/**
	 * Where uploads are kept. The `session_warden_geo_dir` filter can move them (for example outside the
	 * document root, where no web server rule is needed).
	 */
	public static function directory(): string {
		/**
		 * Filters the directory the uploaded country database is kept in.
		 *
		 * @param string $dir Absolute path, without a trailing slash.
		 */
		return untrailingslashit( (string) apply_filters( 'session_warden_geo_dir', WP_CONTENT_DIR . '/session-warden' ) );
	}

	/**
	 * What the screen shows: which database is used and where it came from, and what the engine reads in
	 * it (type, build date).
	 *
	 * @return array{source:string, path:string, uploaded:bool, can_upload:bool, info:?array, error:?string}
	 */
	public static function info(): array {
		$constant = defined( 'SESSION_WARDEN_GEO_DB' ) && '' !== (string) SESSION_WARDEN_GEO_DB;
		$path     = Engine_Client::configured_geo_db();
		$stored   = self::stored_path();
		if ( '' === $path ) {
			$source = 'none';
		} elseif ( $constant ) {
			$source = 'constant';
		} elseif ( $stored === $path ) {
			$source = 'upload';
		} else {
			$source = 'filter';
		}
		$upload = get_site_option( self::OPTION );
		$out    = array(
			'source'     => $source,
			// The name it was uploaded with, never the stored (unguessable) one; for a configured file, its
			// name without the server's directories.
			'file'       => 'upload' === $source ? (string) ( $upload['name'] ?? '' ) : ( '' === $path ? '' : basename( $path ) ),
			'uploaded'   => null !== $stored,
			'upload'     => null === $stored ? null : array(
				'name' => (string) ( $upload['name'] ?? '' ),
				'size' => (int) ( $upload['size'] ?? 0 ),
				'time' => (int) ( $upload['time'] ?? 0 ),
			),
			'can_upload' => current_user_can( self::capability() ),
			'info'       => null,
			'error'      => null,
		);
		if ( '' !== $path ) {
			$read = self::read_info( $path );
			if ( is_wp_error( $read ) ) {
				$out['error'] = $read->get_error_message();
			} else {
				$out['info'] = $read;
			}
		}
		return $out;
	}

	/**
	 * Checks an uploaded file with the engine and keeps it in place of the previous upload.
	 *
	 * @param array $file One entry of $_FILES.
	 * @return true|\WP_Error
	 */
	public static function store( array $file ) {
		$error = (int) ( $file['error'] ?? UPLOAD_ERR_NO_FILE );
		if ( UPLOAD_ERR_OK !== $error ) {
			return new \WP_Error(
				'session_warden_geo_upload',
				UPLOAD_ERR_INI_SIZE === $error || UPLOAD_ERR_FORM_SIZE === $error
					? __( 'The file is larger than this server accepts for uploads (upload_max_filesize / post_max_size in php.ini).', 'session-warden' )
					: __( 'The file did not arrive completely. Try the upload again.', 'session-warden' ),
				array( 'status' => 400 )
			);
		}
		$tmp = (string) ( $file['tmp_name'] ?? '' );
		if ( '' === $tmp || ! is_uploaded_file( $tmp ) ) {
			return new \WP_Error( 'session_warden_geo_upload', __( 'The upload could not be read.', 'session-warden' ), array( 'status' => 400 ) );
		}
		$size = (int) filesize( $tmp );
		if ( $size <= 0 || $size > self::MAX_BYTES ) {
			return new \WP_Error(
				'session_warden_geo_upload',
				/* translators: %s: largest size, e.g. "64 MB". */
				sprintf( __( 'A country database must be a non-empty file of at most %s.', 'session-warden' ), size_format( self::MAX_BYTES ) ),
				array( 'status' => 400 )
			);
		}

		// The engine reads the file first: whatever it cannot use as a country database is refused.
		$read = self::read_info( $tmp );
		if ( is_wp_error( $read ) ) {
			return new \WP_Error(
				'session_warden_geo_invalid',
				/* translators: %s: the engine's reason. */
				sprintf( __( 'This file cannot be used as a country database: %s', 'session-warden' ), $read->get_error_message() ),
				array( 'status' => 400 )
			);
		}

		$dir = self::prepare_directory();
		if ( is_wp_error( $dir ) ) {
			return $dir;
		}
		// A random name: even where the web server ignores .htaccess, the file's address cannot be guessed.
		$target = $dir . '/country-' . wp_generate_password( 20, false ) . '.mmdb';
		if ( ! @move_uploaded_file( $tmp, $target ) ) { // phpcs:ignore WordPress.PHP.NoSilencedErrors -- reported below.
			return new \WP_Error(
				'session_warden_geo_upload',
				/* translators: %s: directory. */
				sprintf( __( 'The file could not be saved in %s. Check that the web server may write there.', 'session-warden' ), $dir ),
				array( 'status' => 500 )
			);
		}
		chmod( $target, 0640 );
		$previous = self::stored_path();
		update_site_option(
			self::OPTION,
			array(
				'path' => $target,
				'name' => sanitize_file_name( (string) ( $file['name'] ?? '' ) ),
				'size' => $size,
				'time' => time(),
			)
		);
		if ( null !== $previous && $previous !== $target && self::is_ours( $previous ) ) {
			wp_delete_file( $previous );
		}
		Engine::reset();
		Daemon::reload();
		return true;
	}

	/** Deletes the uploaded database (a constant or filter keeps working). */
	public static function remove(): void {
		$previous = self::stored_path();
		delete_site_option( self::OPTION );
		if ( null !== $previous && self::is_ours( $previous ) ) {
			wp_delete_file( $previous );
		}
		Engine::reset();
		Daemon::reload();
	}

	/** Uninstall: the uploaded file and the directory's guards (the directory itself when nothing else is in it). */
	public static function remove_everything(): void {
		self::remove();
		$dir = self::directory();
		foreach ( array( '.htaccess', 'index.php' ) as $name ) {
			if ( is_file( $dir . '/' . $name ) ) {
				wp_delete_file( $dir . '/' . $name );
			}
		}
		if ( is_dir( $dir ) && array() === array_diff( (array) scandir( $dir ), array( '.', '..' ) ) ) {
			rmdir( $dir ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_rmdir
		}
	}

	/**
	 * The engine's reading of a database file. A one-shot engine (or the PHP runtime where no process may
	 * run) is handed this very file: a running daemon answers from the database it was started with.
	 *
	 * @param string $path File.
	 * @return array|\WP_Error {database_type, build_epoch, ip_version, node_count, build_date}
	 */
	private static function read_info( string $path ) {
		$dir    = PLUGIN_DIR . 'engine/';
		$client = new Engine_Client( $dir . Engine_Client::BINARY, $dir . Engine_Client::ARTIFACT, null, 10.0, $path );
		try {
			$meta = $client->request( 'geo_info' );
		} catch ( Engine_Error $e ) {
			return new \WP_Error( 'session_warden_geo_error', $e->getMessage() );
		}
		if ( ! is_array( $meta ) ) {
			return new \WP_Error( 'session_warden_geo_error', __( 'the engine gave no description of the file', 'session-warden' ) );
		}
		$meta['build_date'] = isset( $meta['build_epoch'] ) ? gmdate( 'Y-m-d', (int) $meta['build_epoch'] ) : '';
		return $meta;
	}

	/**
	 * Creates the directory with its guards (deny rule, empty index).
	 *
	 * @return string|\WP_Error Directory.
	 */
	private static function prepare_directory() {
		$dir = self::directory();
		if ( ! is_dir( $dir ) && ! wp_mkdir_p( $dir ) ) {
			return new \WP_Error(
				'session_warden_geo_upload',
				/* translators: %s: directory. */
				sprintf( __( 'The directory %s could not be created. Check that the web server may write in wp-content.', 'session-warden' ), $dir ),
				array( 'status' => 500 )
			);
		}
		$guards = array(
			'.htaccess' => "# Session Warden: private files, never served.\n<IfModule mod_authz_core.c>\n\tRequire all denied\n</IfModule>\n<IfModule !mod_authz_core.c>\n\tDeny from all\n</IfModule>\n",
			'index.php' => "<?php\n// Silence is golden.\n",
		);
		foreach ( $guards as $name => $content ) {
			if ( ! file_exists( $dir . '/' . $name ) ) {
				file_put_contents( $dir . '/' . $name, $content ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_file_put_contents
			}
		}
		return $dir;
	}

	/** Only files this class created are ever deleted. */
	private static function is_ours( string $path ): bool {
		return dirname( $path ) === self::directory() && (bool) preg_match( '/^country-[A-Za-z0-9]{20}\.mmdb$/', basename( $path ) );
	}
}
