<?php
/**
 * REST routes for live sessions: the directory of everyone's sessions, one user's sessions (`me` or an ID),
 * ending one, several or all but the current one, and the site-wide logout.
 *
 *   GET    /sessions                              everyone's sessions (filters, pages)        capability
 *   POST   /sessions/end            {"ids":[…]}   end several                                  capability
 *   DELETE /sessions/{id}                         end one                                      owner or capability
 *   GET    /users/{id|me}/sessions                one user's sessions, `current` marked        owner or capability
 *   DELETE /users/{id|me}/sessions/{sid}          end one of that user's sessions              owner or capability
 *   POST   /users/{id|me}/sessions/end-others     me: all but this one; another user: all      owner or capability
 *   POST   /logout-all                            everyone, everywhere (the logout epoch)      capability
 *
 * Sessions are named by Session_Id's opaque ids only, never by token or verifier. The capability checks
 * live here: Session_Actions does none.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Rest_Sessions {

	/** Path pattern of an opaque session id (Session_Id ids are URL-safe). */
	private const ID = '(?P<id>[A-Za-z0-9_-]+)';

	/** Path pattern of a `{user}` part. */
	private const USER = '(?P<user>me|[0-9]+)';

	/** Most ids one bulk request may end. */
	public const MAX_BULK = 200;

	public static function register_routes(): void {
		$ns = Rest::NAMESPACE;

		register_rest_route(
			$ns,
			'/sessions',
			array(
				array(
					'methods'             => \WP_REST_Server::READABLE,
					'callback'            => array( self::class, 'list_sessions' ),
					'permission_callback' => array( self::class, 'can_list' ),
					'args'                => self::list_args(),
				),
				'schema' => array( Rest::class, 'session_schema' ),
			)
		);

		register_rest_route(
			$ns,
			'/sessions/end',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( self::class, 'end_many' ),
				'permission_callback' => array( self::class, 'can_list' ),
				'args'                => array(
					'ids' => array(
						'description'       => __( 'Ids of the sessions to end.', 'session-warden' ),
						'type'              => 'array',
						'items'             => Rest::session_id_schema(),
						'minItems'          => 1,
						'maxItems'          => self::MAX_BULK,
						'uniqueItems'       => true,
						'required'          => true,
						'validate_callback' => array( self::class, 'validate_ids' ),
					),
				),
			)
		);

		register_rest_route(
			$ns,
			'/sessions/' . self::ID,
			array(
				'methods'             => \WP_REST_Server::DELETABLE,
				'callback'            => array( self::class, 'end_one' ),
				'permission_callback' => array( self::class, 'can_end_one' ),
				'args'                => array( 'id' => Rest::session_id_schema() + array( 'required' => true ) ),
			)
		);

		register_rest_route(
			$ns,
			'/users/' . self::USER . '/sessions',
			array(
				array(
					'methods'             => \WP_REST_Server::READABLE,
					'callback'            => array( self::class, 'list_user' ),
					'permission_callback' => array( self::class, 'can_manage_user' ),
					'args'                => array( 'user' => Rest::user_arg() ),
				),
				'schema' => array( Rest::class, 'session_schema' ),
			)
		);

		register_rest_route(
			$ns,
			'/users/' . self::USER . '/sessions/end-others',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( self::class, 'end_others' ),
				'permission_callback' => array( self::class, 'can_manage_user' ),
				'args'                => array( 'user' => Rest::user_arg() ),
			)
		);

		register_rest_route(
			$ns,
			'/users/' . self::USER . '/sessions/' . str_replace( '<id>', '<sid>', self::ID ),
			array(
				'methods'             => \WP_REST_Server::DELETABLE,
				'callback'            => array( self::class, 'end_user_session' ),
				'permission_callback' => array( self::class, 'can_manage_user' ),
				'args'                => array(
					'user' => Rest::user_arg(),
					'sid'  => Rest::session_id_schema() + array( 'required' => true ),
				),
			)
		);

		register_rest_route(
			$ns,
			'/logout-all',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( self::class, 'logout_all' ),
				'permission_callback' => array( self::class, 'can_logout_all' ),
				'args'                => array(),
			)
		);
	}

	/**
	 * Query args of GET /sessions: Session_Directory::query()'s filters. An arg with its own
	 * sanitize_callback names rest_validate_request_arg as well: WordPress checks the schema (enum,
	 * pattern, maxLength) only through its default sanitizer, which a custom one replaces.
	 */
	private static function list_args(): array {
		return array(
			'user'         => array(
				'description' => __( 'Only this user\'s sessions (0: everyone).', 'session-warden' ),
				'type'        => 'integer',
				'minimum'     => 0,
				'default'     => 0,
			),
			'role'         => array(
				'description'       => __( 'Only users with this role on this site.', 'session-warden' ),
				'type'              => 'string',
				'enum'              => array_keys( wp_roles()->roles ),
				'sanitize_callback' => 'sanitize_key',
				'validate_callback' => 'rest_validate_request_arg',
			),
			'country'      => array(
				'description'       => __( 'Only sessions from this country (ISO 3166-1 alpha-2 code).', 'session-warden' ),
				'type'              => 'string',
				'pattern'           => '^[A-Za-z]{2}$',
				'sanitize_callback' => static fn ( $value ): string => strtoupper( (string) $value ),
				'validate_callback' => array( self::class, 'validate_country' ),
			),
			'device_class' => array(
				'description' => __( 'Only sessions from this kind of device.', 'session-warden' ),
				'type'        => 'string',
				'enum'        => array( 'desktop', 'mobile', 'tablet', 'bot', 'other' ),
			),
			'flag'         => array(
				'description' => __( 'Only sessions with this suspicious-activity flag.', 'session-warden' ),
				'type'        => 'string',
				'enum'        => array( 'ip_shift', 'country_anomaly' ),
			),
			'search'       => array(
				'description'       => __( 'Part of an IP address, or of a username, e-mail address or display name.', 'session-warden' ),
				'type'              => 'string',
				'maxLength'         => 100,
				'sanitize_callback' => 'sanitize_text_field',
				'validate_callback' => 'rest_validate_request_arg',
			),
			'orderby'      => array(
				'description' => __( 'Sort by sign-in time or by last activity.', 'session-warden' ),
				'type'        => 'string',
				'enum'        => array( 'login', 'last_activity' ),
				'default'     => 'last_activity',
			),
			'order'        => array(
				'description' => __( 'Sort direction.', 'session-warden' ),
				'type'        => 'string',
				'enum'        => array( 'asc', 'desc' ),
				'default'     => 'desc',
			),
		) + Rest::paging_args( __( 'Sessions per page.', 'session-warden' ), 200 );
	}

	/**
	 * `ids` of POST /sessions/end: a JSON list, then the schema. (The schema alone would take `"abc"` or `5`
	 * as a list of one, as WordPress does for query strings; in a JSON body that is a mistake worth a 400.)
	 *
	 * @param mixed            $value   Value.
	 * @param \WP_REST_Request $request Request.
	 * @param string           $param   Parameter name.
	 * @return true|\WP_Error
	 */
	public static function validate_ids( $value, \WP_REST_Request $request, string $param ) {
		if ( ! is_array( $value ) || ( $value && ! wp_is_numeric_array( $value ) ) ) {
			return new \WP_Error(
				'rest_invalid_type',
				/* translators: %s: parameter name. */
				sprintf( __( '%s must be a list of session ids, such as ["12-0123…"].', 'session-warden' ), $param ),
				array( 'param' => $param )
			);
		}
		foreach ( array_values( $value ) as $i => $id ) {
			if ( ! is_string( $id ) || ! preg_match( '/^[A-Za-z0-9_-]{1,200}$/', $id ) ) {
				return new \WP_Error(
					'rest_invalid_param',
					/* translators: 1: parameter name, 2: position in the list. */
					sprintf( __( '%1$s[%2$d] is not a session id (ids are letters, digits, "-" and "_", as the sessions routes list them).', 'session-warden' ), $param, $i ),
					array( 'param' => $param )
				);
			}
		}
		return rest_validate_request_arg( $value, $request, $param );
	}

	/**
	 * `country` of GET /sessions: two letters, with a message a site owner understands.
	 *
	 * @param mixed            $value   Value.
	 * @param \WP_REST_Request $request Request.
	 * @param string           $param   Parameter name.
	 * @return true|\WP_Error
	 */
	public static function validate_country( $value, \WP_REST_Request $request, string $param ) {
		if ( is_string( $value ) && preg_match( '/^[A-Za-z]{2}$/', $value ) ) {
			return true;
		}
		return new \WP_Error(
			'rest_invalid_param',
			/* translators: %s: parameter name. */
			sprintf( __( '%s must be a two-letter country code (ISO 3166-1), such as DE.', 'session-warden' ), $param ),
			array( 'param' => $param )
		);
	}

	/** GET /sessions and POST /sessions/end: the capability. */
	public static function can_list() {
		return Rest::require_cap( Session_Directory::CAP, __( 'Sorry, you are not allowed to manage other users\' sessions.', 'session-warden' ) );
	}

	/**
	 * DELETE /sessions/{id}: the session's owner, or someone who may manage the owner. An unknown id passes
	 * for any signed-in user so the callback can say 404; ids are unguessable, so that tells nothing.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function can_end_one( \WP_REST_Request $request ) {
		if ( ! is_user_logged_in() ) {
			return Rest::not_logged_in();
		}
		try {
			$session = Session_Id::resolve( (string) $request['id'] );
		} catch ( \Throwable $e ) {
			return Rest::service_error( $e );
		}
		if ( null === $session || Rest::may_manage_user( (int) $session['user_id'] ) ) {
			return true;
		}
		return Rest::forbidden( __( 'Sorry, you are not allowed to end that session.', 'session-warden' ) );
	}

	/**
	 * The /users/{id|me}/… routes: oneself, or a user one may manage. Without the capability another
	 * user's ID is refused (403) whether or not it exists, so the route reveals no user IDs.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function can_manage_user( \WP_REST_Request $request ) {
		if ( ! is_user_logged_in() ) {
			return Rest::not_logged_in();
		}
		$value = (string) $request['user'];
		if ( 'me' === $value || (int) $value === get_current_user_id() ) {
			return true;
		}
		if ( ! Rest::can_manage_sessions() ) {
			return Rest::forbidden( __( 'Sorry, you can only manage your own sessions.', 'session-warden' ) );
		}
		if ( ! get_userdata( (int) $value ) ) {
			return true; // The callback answers 404.
		}
		return Rest::may_manage_user( (int) $value )
			? true
			: Rest::forbidden( __( 'Sorry, you are not allowed to manage that user\'s sessions.', 'session-warden' ) );
	}

	/**
	 * POST /logout-all: the capability; on multisite the epoch ends sessions on every site, so network
	 * administrators only.
	 */
	public static function can_logout_all() {
		$message = __( 'Sorry, you are not allowed to log everyone out.', 'session-warden' );
		if ( is_multisite() && ! current_user_can( 'manage_network_options' ) ) {
			return Rest::forbidden( $message );
		}
		return Rest::require_cap( Session_Directory::CAP, $message );
	}

	/**
	 * GET /sessions.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function list_sessions( \WP_REST_Request $request ) {
		$args = array();
		foreach ( array( 'user', 'role', 'country', 'device_class', 'flag', 'search', 'orderby', 'order', 'page', 'per_page' ) as $key ) {
			if ( null !== $request[ $key ] && '' !== $request[ $key ] ) {
				$args[ $key ] = $request[ $key ];
			}
		}
		try {
			$result = Session_Directory::query( $args );
		} catch ( \InvalidArgumentException $e ) {
			// A filter value the schema let through but the directory cannot use; its message names the filter.
			return new \WP_Error( 'rest_invalid_param', $e->getMessage(), array( 'status' => 400 ) );
		} catch ( \Throwable $e ) {
			return Rest::service_error( $e );
		}
		$items = array_map( array( Rest::class, 'session_item' ), (array) ( $result['items'] ?? array() ) );
		return Rest::paginated( $items, (int) ( $result['total'] ?? 0 ), (int) $request['per_page'] );
	}

	/**
	 * POST /sessions/end: ends each listed session the requester may end; reports the others.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function end_many( \WP_REST_Request $request ) {
		$ended   = 0;
		$failed  = array();
		$current = Session_Id::current();
		$self    = false;
		foreach ( (array) $request['ids'] as $id ) {
			$id = (string) $id;
			try {
				$session = Session_Id::resolve( $id );
				if ( null === $session ) {
					$failed[] = array(
						'id'      => $id,
						'message' => __( 'There is no such session; it may have ended already.', 'session-warden' ),
					);
					continue;
				}
				$owner = (int) $session['user_id'];
				if ( ! Rest::may_manage_user( $owner ) ) {
					$failed[] = array(
						'id'      => $id,
						'message' => __( 'Sorry, you are not allowed to end that session.', 'session-warden' ),
					);
					continue;
				}
				$result = Session_Actions::end( $id, self::by( $owner ) );
			} catch ( \Throwable $e ) {
				$result = Rest::service_error( $e );
			}
			if ( is_wp_error( $result ) ) {
				$failed[] = array(
					'id'      => $id,
					'message' => $result->get_error_message(),
				);
				continue;
			}
			++$ended;
			$self = $self || $id === $current;
		}
		if ( $self ) {
			self::forget_cookies();
		}
		return rest_ensure_response(
			array(
				'ended'  => $ended,
				'failed' => $failed,
			)
		);
	}

	/**
	 * DELETE /sessions/{id}.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function end_one( \WP_REST_Request $request ) {
		$id = (string) $request['id'];
		try {
			$session = Session_Id::resolve( $id );
		} catch ( \Throwable $e ) {
			return Rest::service_error( $e );
		}
		if ( null === $session ) {
			return self::no_session();
		}
		return self::end_and_reply( $id, (int) $session['user_id'] );
	}

	/**
	 * GET /users/{id|me}/sessions.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function list_user( \WP_REST_Request $request ) {
		$user_id = Rest::resolve_user( (string) $request['user'] );
		if ( is_wp_error( $user_id ) ) {
			return $user_id;
		}
		try {
			$items = array_map( array( Rest::class, 'session_item' ), Session_Directory::for_user( $user_id ) );
		} catch ( \Throwable $e ) {
			return Rest::service_error( $e );
		}
		return Rest::paginated( $items, count( $items ), max( 1, count( $items ) ) );
	}

	/**
	 * DELETE /users/{id|me}/sessions/{sid}: only a session of that user (else 404).
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function end_user_session( \WP_REST_Request $request ) {
		$user_id = Rest::resolve_user( (string) $request['user'] );
		if ( is_wp_error( $user_id ) ) {
			return $user_id;
		}
		$id = (string) $request['sid'];
		try {
			$session = Session_Id::resolve( $id );
		} catch ( \Throwable $e ) {
			return Rest::service_error( $e );
		}
		if ( null === $session || (int) $session['user_id'] !== $user_id ) {
			return self::no_session();
		}
		return self::end_and_reply( $id, $user_id );
	}

	/**
	 * POST /users/{id|me}/sessions/end-others: one's own sessions except the one making the request (all
	 * of them when the request has no cookie session, e.g. an application password); another user's: all.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function end_others( \WP_REST_Request $request ) {
		$user_id = Rest::resolve_user( (string) $request['user'] );
		if ( is_wp_error( $user_id ) ) {
			return $user_id;
		}
		$own = get_current_user_id() === $user_id;
		try {
			$ended = Session_Actions::end_others( $user_id, $own ? Session_Id::current() : null, self::by( $user_id ) );
		} catch ( \Throwable $e ) {
			return Rest::service_error( $e );
		}
		return rest_ensure_response( array( 'ended' => (int) $ended ) );
	}

	/** POST /logout-all. */
	public static function logout_all() {
		return rest_ensure_response( array( 'epoch' => Settings::end_all_sessions() ) );
	}

	/**
	 * Ends one session the requester may end, and replies `{"ended":true,"id":…}`. Ending the session
	 * making the request signs the requester out: the cookies are cleared too.
	 *
	 * @param string $id    Session id.
	 * @param int    $owner Its user.
	 */
	private static function end_and_reply( string $id, int $owner ) {
		$current = Session_Id::current();
		try {
			$result = Session_Actions::end( $id, self::by( $owner ) );
		} catch ( \Throwable $e ) {
			return Rest::service_error( $e );
		}
		if ( is_wp_error( $result ) ) {
			$data = $result->get_error_data();
			if ( ! is_array( $data ) || ! isset( $data['status'] ) ) {
				$result->add_data( array_merge( is_array( $data ) ? $data : array(), array( 'status' => 'session_warden_no_session' === $result->get_error_code() ? 404 : 500 ) ) );
			}
			return $result;
		}
		if ( $id === $current ) {
			self::forget_cookies();
		}
		return rest_ensure_response(
			array(
				'ended' => true,
				'id'    => $id,
			)
		);
	}

	/**
	 * Who ends a session, for the session_ended event: its owner, or an administrator.
	 *
	 * @param int $owner The session's user.
	 */
	private static function by( int $owner ): string {
		return get_current_user_id() === $owner ? 'user' : 'admin';
	}

	/** The 404 for a session id that names no live session (of that user). */
	private static function no_session(): \WP_Error {
		return new \WP_Error(
			'session_warden_no_session',
			__( 'There is no such session; it may have ended already.', 'session-warden' ),
			array( 'status' => 404 )
		);
	}

	/** The requester ended their own session: expire the auth cookies in this response too. */
	private static function forget_cookies(): void {
		if ( ! headers_sent() ) {
			wp_clear_auth_cookie();
		}
	}
}
