<?php
/**
 * The Sessions screen (top-level menu "Sessions"; also in the network admin): every live session of every
 * user, with filters, search, sorting and pagination, ending one, all of a user's or a selection, and
 * signing everyone out.
 *
 * Every change is a POST with a nonce and a capability check, answered by a redirect back to the same view
 * with what happened in the URL (sw_done, sw_count…), which the page turns into a notice. Filters, search
 * and paging submitted with the form are redirected to a plain GET view too, so every view has a URL.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Sessions_Screen {

	public const SLUG            = 'session-warden';
	public const PER_PAGE_OPTION = 'session_warden_sessions_per_page';

	/** Nonce action of the "Log everyone out" form (also its button's name). */
	private const LOGOUT_ALL = 'session_warden_logout_all';

	/** Nonce action of the table's form: WP_List_Table prints it as bulk-{plural}. */
	private const TABLE_NONCE = 'bulk-sessions';

	/** View arguments carried in the URL. */
	private const VIEW_KEYS = array( 'role', 'country', 'device_class', 'flag', 'user', 's', 'orderby', 'order', 'paged' );

	/** Result arguments the redirect adds (removed from the address bar by WordPress). */
	private const RESULT_KEYS = array( 'sw_done', 'sw_count', 'sw_failed', 'sw_busy', 'sw_denied', 'sw_user', 'sw_error' );

	private static ?Sessions_List_Table $table = null;

	private static ?string $query_error = null;

	/** `admin_menu`: Sessions, with "All Sessions" as its first item (helper screens add more below it). */
	public static function add_page(): void {
		self::add_pages( 71 );
	}

	/** `network_admin_menu`: the same screen in the network admin (super admins have every capability). */
	public static function add_network_page(): void {
		self::add_pages( 22 );
	}

	/**
	 * @param int $position Menu position (after Users in either admin).
	 */
	private static function add_pages( int $position ): void {
		$hook = add_menu_page(
			__( 'Sessions', 'session-warden' ),
			__( 'Sessions', 'session-warden' ),
			Session_Directory::CAP,
			self::SLUG,
			array( self::class, 'render' ),
			'dashicons-shield',
			$position
		);
		add_submenu_page( self::SLUG, __( 'Sessions', 'session-warden' ), __( 'All Sessions', 'session-warden' ), Session_Directory::CAP, self::SLUG, array( self::class, 'render' ) );
		if ( $hook ) {
			add_action( 'load-' . $hook, array( self::class, 'load' ) );
		}
	}

	/**
	 * `set_screen_option_session_warden_sessions_per_page`: keeps the "Number of items per page" screen
	 * option within what Session_Directory::query() accepts.
	 *
	 * @param mixed  $keep   False (do not save) unless another filter decided.
	 * @param string $option Option name.
	 * @param mixed  $value  Submitted value.
	 * @return int|false
	 */
	public static function save_per_page( $keep, $option, $value ) {
		$value = (int) $value;
		return $value >= 1 && $value <= 200 ? $value : $keep;
	}

	/**
	 * The screen's URL in the current admin (site or network) with view or result arguments.
	 *
	 * @param array $args Query arguments.
	 */
	public static function url( array $args = array() ): string {
		$base = is_network_admin() ? network_admin_url( 'admin.php?page=' . self::SLUG ) : admin_url( 'admin.php?page=' . self::SLUG );
		return add_query_arg( array_map( static fn ( $v ) => is_string( $v ) ? rawurlencode( $v ) : $v, $args ), $base );
	}

	/**
	 * Filters, search, sort and page from a request, keeping only valid values.
	 *
	 * @param array $raw    Unslashed request arguments.
	 * @param array $errors Gets 'country' when a country was given that is not a two-letter code.
	 */
	public static function clean_view( array $raw, array &$errors = array() ): array {
		$view = array();
		$role = isset( $raw['role'] ) && is_string( $raw['role'] ) ? sanitize_key( $raw['role'] ) : '';
		if ( '' !== $role && isset( wp_roles()->role_names[ $role ] ) ) {
			$view['role'] = $role;
		}
		$country = isset( $raw['country'] ) && is_string( $raw['country'] ) ? trim( $raw['country'] ) : '';
		if ( '' !== $country ) {
			$code = Session_View::country_code( $country );
			if ( '' === $code ) {
				$errors[] = 'country';
			} else {
				$view['country'] = $code;
			}
		}
		$device = isset( $raw['device_class'] ) && is_string( $raw['device_class'] ) ? sanitize_key( $raw['device_class'] ) : '';
		if ( in_array( $device, Session_View::DEVICE_CLASSES, true ) ) {
			$view['device_class'] = $device;
		}
		$flag = isset( $raw['flag'] ) && is_string( $raw['flag'] ) ? sanitize_key( $raw['flag'] ) : '';
		if ( in_array( $flag, Session_View::FLAGS, true ) ) {
			$view['flag'] = $flag;
		}
		$user = isset( $raw['user'] ) && is_scalar( $raw['user'] ) ? absint( $raw['user'] ) : 0;
		if ( $user > 0 ) {
			$view['user'] = $user;
		}
		$search = isset( $raw['s'] ) && is_string( $raw['s'] ) ? trim( sanitize_text_field( $raw['s'] ) ) : '';
		if ( '' !== $search ) {
			$view['s'] = function_exists( 'mb_substr' ) ? mb_substr( $search, 0, 100 ) : substr( $search, 0, 100 );
		}
		$orderby = isset( $raw['orderby'] ) && is_string( $raw['orderby'] ) ? sanitize_key( $raw['orderby'] ) : '';
		if ( in_array( $orderby, array( 'login', 'last_activity' ), true ) ) {
			$view['orderby'] = $orderby;
		}
		$order = isset( $raw['order'] ) && is_string( $raw['order'] ) ? strtolower( $raw['order'] ) : '';
		if ( in_array( $order, array( 'asc', 'desc' ), true ) ) {
			$view['order'] = $order;
		}
		$paged = isset( $raw['paged'] ) && is_scalar( $raw['paged'] ) ? absint( $raw['paged'] ) : 0;
		if ( $paged > 1 ) {
			$view['paged'] = $paged;
		}
		return $view;
	}

	/** The view of this page load, from the URL. */
	public static function view(): array {
		return self::clean_view( wp_unslash( $_GET ) ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- read-only view; every value is validated.
	}

	/** `load-{page}`: actions (then redirect), screen options, help, the table's data, assets. */
	public static function load(): void {
		self::handle_post();

		add_filter(
			'removable_query_args',
			static function ( array $args ): array {
				return array_merge( $args, self::RESULT_KEYS );
			}
		);
		add_screen_option(
			'per_page',
			array(
				'default' => 20,
				'option'  => self::PER_PAGE_OPTION,
			)
		);
		self::help();

		$base = plugins_url( 'assets/admin/', PLUGIN_FILE );
		wp_enqueue_style( 'session-warden-admin-sessions', $base . 'sessions.css', array(), Session_View::asset_version( 'assets/admin/sessions.css' ) );
		wp_enqueue_script( 'session-warden-admin-sessions', $base . 'sessions.js', array(), Session_View::asset_version( 'assets/admin/sessions.js' ), true );

		// Built here, before any output, so that a page number past the end can still redirect.
		self::$table = new Sessions_List_Table( self::view() );
		try {
			self::$table->prepare_items();
		} catch ( \Throwable $e ) {
			self::$query_error = $e->getMessage();
		}
	}

	/** The screen's help tab: what the columns and flags mean, what ending does. */
	private static function help(): void {
		$screen = get_current_screen();
		if ( ! $screen ) {
			return;
		}
		$screen->add_help_tab(
			array(
				'id'      => 'session-warden-sessions-overview',
				'title'   => __( 'Overview', 'session-warden' ),
				'content' =>
					'<p>' . esc_html__( 'Every browser or device that is signed in to this site right now. Last activity is the last request the session made; sessions that stay idle too long, or began before a site-wide logout, end on their next request.', 'session-warden' ) . '</p>'
					. '<p>' . esc_html__( 'Ending a session signs that device out: its next request is treated as signed out, and it has to sign in again. It does not change the password; if an account was misused, change its password too.', 'session-warden' ) . '</p>',
			)
		);
		$screen->add_help_tab(
			array(
				'id'      => 'session-warden-sessions-flags',
				'title'   => __( 'Flags', 'session-warden' ),
				'content' =>
					'<p><strong>' . esc_html( Session_View::flag_label( 'ip_shift' ) ) . '</strong>: ' . esc_html( Session_View::flag_help( 'ip_shift' ) ) . '</p>'
					. '<p><strong>' . esc_html( Session_View::flag_label( 'country_anomaly' ) ) . '</strong>: ' . esc_html( Session_View::flag_help( 'country_anomaly' ) ) . '</p>',
			)
		);
	}

	/** Handles the screen's forms. Every branch ends in a redirect. */
	private static function handle_post(): void {
		if ( 'POST' !== ( $_SERVER['REQUEST_METHOD'] ?? '' ) ) {
			return;
		}
		$post = wp_unslash( $_POST ); // phpcs:ignore WordPress.Security.NonceVerification.Missing -- checked below, before anything is used.

		if ( isset( $post[ self::LOGOUT_ALL ] ) ) {
			check_admin_referer( self::LOGOUT_ALL );
			if ( ! self::may_log_everyone_out() ) {
				wp_die( esc_html__( 'Sorry, you are not allowed to log everyone out.', 'session-warden' ), 403 );
			}
			self::logout_all();
		}

		check_admin_referer( self::TABLE_NONCE );
		self::require_capability();
		$applied = self::clean_view( is_array( $post['sw_view'] ?? null ) ? $post['sw_view'] : array() );

		if ( isset( $post['sw_end_one'] ) && is_string( $post['sw_end_one'] ) ) {
			self::finish( $applied, self::end_sessions( array( $post['sw_end_one'] ) ) );
		}
		if ( isset( $post['sw_end_user'] ) && is_scalar( $post['sw_end_user'] ) ) {
			self::finish( $applied, self::end_user( absint( $post['sw_end_user'] ) ) );
		}
		if ( isset( $post['sw_bulk'] ) ) {
			$action = 'bottom' === $post['sw_bulk'] ? ( $post['action2'] ?? '' ) : ( $post['action'] ?? '' );
			if ( 'end' === $action ) {
				$ids = is_array( $post['sessions'] ?? null ) ? array_filter( $post['sessions'], 'is_string' ) : array();
				self::finish( $applied, $ids ? self::end_sessions( $ids ) : array( 'sw_done' => 'none' ) );
			}
			self::finish( $applied, array( 'sw_done' => 'no_action' ) );
		}

		// Filter, search or a page number: show that view. A changed filter starts again at page 1.
		$errors = array();
		$wanted = self::clean_view(
			array_merge(
				array_intersect_key( $applied, array_flip( array( 'user', 'orderby', 'order' ) ) ),
				array_intersect_key( $post, array_flip( array( 'role', 'country', 'device_class', 'flag', 's', 'paged' ) ) )
			),
			$errors
		);
		$filters = array( 'role', 'country', 'device_class', 'flag', 'user', 's' );
		if ( array_intersect_key( $wanted, array_flip( $filters ) ) != array_intersect_key( $applied, array_flip( $filters ) ) ) { // phpcs:ignore Universal.Operators.StrictComparisons.LooseNotEqual -- same keys and values, any order.
			unset( $wanted['paged'] );
		}
		self::finish( $wanted, $errors ? array( 'sw_error' => $errors[0] ) : array() );
	}

	/**
	 * Whether the viewer may end this user's sessions: the same rule as the REST API (Rest::may_manage_user):
	 * on a network a site administrator manages members of this site and never a super admin.
	 *
	 * @param int $user_id Owner of the sessions.
	 */
	public static function may_manage( int $user_id ): bool {
		return Rest::may_manage_user( $user_id );
	}

	/** "Log everyone out" ends sessions on every site of a network: network administrators only there. */
	public static function may_log_everyone_out(): bool {
		return current_user_can( Session_Directory::CAP ) && ( ! is_multisite() || current_user_can( 'manage_network_options' ) );
	}

	private static function require_capability(): void {
		if ( ! current_user_can( Session_Directory::CAP ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to end sessions.', 'session-warden' ), 403 );
		}
	}

	/**
	 * Back to a view of the screen with a result.
	 *
	 * @param array $view   View arguments.
	 * @param array $result Result arguments.
	 * @return never
	 */
	private static function finish( array $view, array $result ): void {
		wp_safe_redirect( self::url( array_merge( $view, $result ) ) );
		exit;
	}

	/**
	 * Ends sessions by id; the owner's own are recorded as ended by the user, others' by an admin.
	 *
	 * @param string[] $ids Session ids.
	 */
	private static function end_sessions( array $ids ): array {
		$me     = get_current_user_id();
		$ended  = 0;
		$gone   = 0;
		$busy   = 0;
		$denied = 0;
		foreach ( array_unique( array_map( 'sanitize_text_field', $ids ) ) as $id ) {
			$parts = Session_Id::parse( $id );
			if ( null !== $parts && ! self::may_manage( $parts['user_id'] ) ) {
				++$denied;
				continue;
			}
			$result = null === $parts ? false : Session_Actions::end( $id, $parts['user_id'] === $me ? 'user' : 'admin' );
			if ( true === $result ) {
				++$ended;
			} elseif ( is_wp_error( $result ) && 'session_warden_no_session' !== $result->get_error_code() ) {
				++$busy; // The owner's sessions were locked by another request: worth trying again.
			} else {
				++$gone;
			}
		}
		return array_filter(
			array(
				'sw_done'   => 'ended',
				'sw_count'  => $ended,
				'sw_failed' => $gone,
				'sw_busy'   => $busy,
				'sw_denied' => $denied,
			)
		);
	}

	/**
	 * Ends every session of a user; for yourself, every one but this one.
	 *
	 * @param int $user_id User ID.
	 */
	private static function end_user( int $user_id ): array {
		if ( ! $user_id || ! get_userdata( $user_id ) ) {
			return array( 'sw_error' => 'user' );
		}
		if ( ! self::may_manage( $user_id ) ) {
			return array( 'sw_error' => 'denied' );
		}
		$own = get_current_user_id() === $user_id;
		try {
			$count = Session_Actions::end_others( $user_id, $own ? Session_Id::current() : null, $own ? 'user' : 'admin' );
		} catch ( \RuntimeException $e ) {
			return array( 'sw_error' => 'busy' ); // The user's sessions were locked; nothing was ended.
		}
		return array(
			'sw_done'  => 'user',
			'sw_count' => $count,
			'sw_user'  => $user_id,
		);
	}

	/**
	 * "Log everyone out": Settings::end_all_sessions() ends every session that began before now, the
	 * clicker's included. So that the person who clicked does not land on the login screen, their own
	 * session is replaced by a new one (which began after the epoch and survives).
	 *
	 * @return never
	 */
	private static function logout_all(): void {
		$user_id  = get_current_user_id();
		$session  = \WP_Session_Tokens::get_instance( $user_id )->get( wp_get_session_token() );
		$remember = is_array( $session ) && ( (int) ( $session['expiration'] ?? 0 ) - (int) ( $session['login'] ?? time() ) ) > 2 * DAY_IN_SECONDS;

		Settings::end_all_sessions();
		wp_destroy_current_session();
		wp_set_auth_cookie( $user_id, $remember, is_ssl() );

		$applied = self::clean_view( is_array( $_POST['sw_view'] ?? null ) ? wp_unslash( $_POST['sw_view'] ) : array() ); // phpcs:ignore WordPress.Security.NonceVerification.Missing -- checked by the caller.
		self::finish( $applied, array( 'sw_done' => 'logout_all' ) );
	}

	/** The notice for the result in the URL, if any. */
	private static function notices(): void {
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- display only.
		$done   = isset( $_GET['sw_done'] ) ? sanitize_key( wp_unslash( $_GET['sw_done'] ) ) : '';
		$error  = isset( $_GET['sw_error'] ) ? sanitize_key( wp_unslash( $_GET['sw_error'] ) ) : '';
		$count  = isset( $_GET['sw_count'] ) ? absint( $_GET['sw_count'] ) : 0;
		$failed = isset( $_GET['sw_failed'] ) ? absint( $_GET['sw_failed'] ) : 0;
		$busy   = isset( $_GET['sw_busy'] ) ? absint( $_GET['sw_busy'] ) : 0;
		$denied = isset( $_GET['sw_denied'] ) ? absint( $_GET['sw_denied'] ) : 0;
		$user   = isset( $_GET['sw_user'] ) ? get_userdata( absint( $_GET['sw_user'] ) ) : false;
		// phpcs:enable

		$messages = array();
		switch ( $done ) {
			case 'ended':
				if ( ! $count && ! $failed && ! $busy && ! $denied ) {
					$messages[] = array( 'warning', __( 'No session was ended.', 'session-warden' ) );
				}
				if ( $count ) {
					/* translators: %s: number of sessions. */
					$messages[] = array( 'success', sprintf( _n( '%s session ended. That device is signed out.', '%s sessions ended. Those devices are signed out.', $count, 'session-warden' ), number_format_i18n( $count ) ) );
				}
				if ( $failed ) {
					/* translators: %s: number of sessions. */
					$messages[] = array( 'warning', sprintf( _n( '%s session could not be ended: it had already ended.', '%s sessions could not be ended: they had already ended.', $failed, 'session-warden' ), number_format_i18n( $failed ) ) );
				}
				if ( $denied ) {
					/* translators: %s: number of sessions. */
					$messages[] = array( 'error', sprintf( _n( '%s session was not ended: you may not manage its user.', '%s sessions were not ended: you may not manage their users.', $denied, 'session-warden' ), number_format_i18n( $denied ) ) );
				}
				if ( $busy ) {
					/* translators: %s: number of sessions. */
					$messages[] = array( 'error', sprintf( _n( '%s session could not be ended because its user was busy signing in or out. Try again.', '%s sessions could not be ended because their users were busy signing in or out. Try again.', $busy, 'session-warden' ), number_format_i18n( $busy ) ) );
				}
				break;
			case 'user':
				$name = $user ? $user->display_name : __( 'the user', 'session-warden' );
				if ( $user && get_current_user_id() === (int) $user->ID ) {
					$messages[] = array(
						'success',
						$count
							/* translators: %s: number of sessions. */
							? sprintf( _n( '%s of your other sessions ended. This one stays signed in.', '%s of your other sessions ended. This one stays signed in.', $count, 'session-warden' ), number_format_i18n( $count ) )
							: __( 'You had no other sessions.', 'session-warden' ),
					);
				} else {
					$messages[] = array(
						'success',
						$count
							/* translators: 1: number of sessions, 2: user name. */
							? sprintf( _n( '%1$s session of %2$s ended.', 'All %1$s sessions of %2$s ended.', $count, 'session-warden' ), number_format_i18n( $count ), $name )
							/* translators: %s: user name. */
							: sprintf( __( '%s had no sessions left to end.', 'session-warden' ), $name ),
					);
				}
				break;
			case 'logout_all':
				$messages[] = array( 'success', __( 'Everyone was signed out: every session that began before now ends on its next request. You stay signed in with a new session.', 'session-warden' ) );
				break;
			case 'none':
				$messages[] = array( 'warning', __( 'Select at least one session to end.', 'session-warden' ) );
				break;
			case 'no_action':
				$messages[] = array( 'warning', __( 'Choose a bulk action first.', 'session-warden' ) );
				break;
		}
		if ( 'country' === $error ) {
			$messages[] = array( 'error', __( 'The country filter needs a two-letter country code, such as DE or US.', 'session-warden' ) );
		} elseif ( 'user' === $error ) {
			$messages[] = array( 'error', __( 'That user does not exist.', 'session-warden' ) );
		} elseif ( 'denied' === $error ) {
			$messages[] = array( 'error', __( 'Sorry, you may not manage that user\'s sessions.', 'session-warden' ) );
		} elseif ( 'busy' === $error ) {
			$messages[] = array( 'error', __( 'The user was busy signing in or out, so no session was ended. Try again.', 'session-warden' ) );
		}
		if ( null !== self::$query_error ) {
			/* translators: %s: error message. */
			$messages[] = array( 'error', sprintf( __( 'The sessions could not be listed: %s', 'session-warden' ), self::$query_error ) );
		}
		foreach ( $messages as $i => list( $type, $text ) ) {
			printf(
				'<div class="notice notice-%1$s is-dismissible sw-sessions-notice" id="%2$s"><p>%3$s</p></div>',
				esc_attr( $type ),
				esc_attr( 0 === $i ? 'sw-sessions-notice' : 'sw-sessions-notice-' . $i ),
				esc_html( $text )
			);
		}
	}

	/** The page. */
	public static function render(): void {
		if ( ! current_user_can( Session_Directory::CAP ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to see sessions.', 'session-warden' ), 403 );
		}
		$view  = self::view();
		$table = self::$table ?? new Sessions_List_Table( $view );
		$total = (int) $table->get_pagination_arg( 'total_items' );
		$only  = isset( $view['user'] ) ? get_userdata( $view['user'] ) : false;
		?>
		<div class="wrap" id="session-warden-sessions">
			<h1 class="wp-heading-inline"><?php esc_html_e( 'Sessions', 'session-warden' ); ?></h1>
			<a href="<?php echo esc_url( self::url( $view ) ); ?>" class="page-title-action" id="sw-refresh"><?php esc_html_e( 'Refresh', 'session-warden' ); ?></a>
			<?php if ( self::may_log_everyone_out() ) : ?>
			<form method="post" action="<?php echo esc_url( self::url( $view ) ); ?>" class="sw-logout-all-form">
				<?php // Not wp_nonce_field(): its id="_wpnonce" is already taken by the table's form. ?>
				<input type="hidden" name="_wpnonce" value="<?php echo esc_attr( wp_create_nonce( self::LOGOUT_ALL ) ); ?>" />
				<?php self::view_fields( $view ); ?>
				<button type="submit" class="page-title-action sw-logout-all" id="sw-logout-all" name="<?php echo esc_attr( self::LOGOUT_ALL ); ?>" value="1"
					data-sw-confirm="<?php esc_attr_e( 'Sign out every user on every device? Everyone, including other administrators, has to sign in again. You stay signed in here.', 'session-warden' ); ?>">
					<?php esc_html_e( 'Log everyone out', 'session-warden' ); ?>
				</button>
			</form>
			<?php endif; ?>
			<?php if ( isset( $view['s'] ) ) : ?>
				<span class="subtitle">
					<?php
					/* translators: %s: search term. */
					printf( esc_html__( 'Search results for: %s', 'session-warden' ), '<strong>' . esc_html( $view['s'] ) . '</strong>' );
					?>
				</span>
			<?php endif; ?>
			<hr class="wp-header-end" />
			<?php self::notices(); ?>

			<p class="sw-sessions-summary">
				<?php
				if ( $only ) {
					/* translators: %s: user name. */
					printf( esc_html__( 'Sessions of %s.', 'session-warden' ), '<strong>' . esc_html( $only->display_name ) . '</strong>' );
					echo ' <a href="' . esc_url( self::url( array_diff_key( $view, array( 'user' => 1, 'paged' => 1 ) ) ) ) . '">' . esc_html__( 'Show everyone', 'session-warden' ) . '</a> · ';
				}
				/* translators: 1: time of day. */
				printf( esc_html__( 'Updated at %s.', 'session-warden' ), '<time id="sw-updated" datetime="' . esc_attr( gmdate( 'c' ) ) . '">' . esc_html( wp_date( _x( 'H:i:s', 'time of the last refresh', 'session-warden' ) ) ) . '</time>' );
				?>
				<span class="screen-reader-text" id="sw-total" data-total="<?php echo esc_attr( (string) $total ); ?>"></span>
			</p>

			<form method="post" action="<?php echo esc_url( self::url( $view ) ); ?>" id="sw-sessions-form">
				<?php self::view_fields( $view ); ?>
				<?php
				$table->search_box( __( 'Search sessions', 'session-warden' ), 'sw-sessions' );
				$table->display();
				?>
			</form>
		</div>
		<?php
	}

	/**
	 * The applied view as hidden fields, so that an action keeps the view it was taken in.
	 *
	 * @param array $view View arguments.
	 */
	private static function view_fields( array $view ): void {
		foreach ( $view as $key => $value ) {
			if ( in_array( $key, self::VIEW_KEYS, true ) ) {
				printf( '<input type="hidden" name="sw_view[%1$s]" value="%2$s" />', esc_attr( $key ), esc_attr( (string) $value ) );
			}
		}
	}
}
