<?php
/**
 * The table of the Sessions screen: one row per live session of any user, one Session_Directory::query()
 * call per page view.
 *
 * Every value a row shows comes from the session item itself (user name, avatar URL, roles, device…); the
 * only per-user lookups left are the profile links (capability checks read the user), and the page's users
 * are loaded into the cache in one go before the rows are drawn.
 *
 * Every action button posts the table's form (Sessions_Screen::handle_post() checks the nonce and the
 * capability, acts, and redirects back); there are no state-changing links.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

if ( ! class_exists( '\WP_List_Table' ) ) {
	require_once ABSPATH . 'wp-admin/includes/class-wp-list-table.php';
}

final class Sessions_List_Table extends \WP_List_Table {

	/** @var array Validated filters and sort of this page view (Sessions_Screen::view()). */
	private array $view;

	/** @var array<string, string> Role slug => translated name, on this site. */
	private array $role_names;

	private int $checkbox = 0;

	/**
	 * @param array $view Validated view (role, country, device_class, flag, user, s, orderby, order).
	 */
	public function __construct( array $view ) {
		parent::__construct(
			array(
				'singular' => 'session',
				'plural'   => 'sessions',
				'ajax'     => false,
			)
		);
		$this->view       = $view;
		$this->role_names = self::role_names();
	}

	/** Role slug => translated role name on this site. */
	public static function role_names(): array {
		$names = array();
		foreach ( wp_roles()->role_names as $slug => $name ) {
			$names[ (string) $slug ] = translate_user_role( $name );
		}
		return $names;
	}

	public function ajax_user_can(): bool {
		return current_user_can( Session_Directory::CAP );
	}

	public function get_columns(): array {
		return array(
			'cb'            => '<input type="checkbox" />',
			'user'          => __( 'User', 'session-warden' ),
			'roles'         => __( 'Role', 'session-warden' ),
			'device'        => __( 'Device', 'session-warden' ),
			'ip'            => __( 'IP address', 'session-warden' ),
			'country'       => __( 'Country', 'session-warden' ),
			'login'         => __( 'Signed in', 'session-warden' ),
			'last_activity' => __( 'Last activity', 'session-warden' ),
			'flags'         => __( 'Flags', 'session-warden' ),
		);
	}

	protected function get_sortable_columns(): array {
		// Newest first on the first click: that is what someone looking for an intruder wants.
		return array(
			'login'         => array( 'login', true ),
			'last_activity' => array( 'last_activity', true ),
		);
	}

	protected function get_default_primary_column_name(): string {
		return 'user';
	}

	/**
	 * Loads one page of sessions. Runs in the screen's load hook, before any output, so that a page number
	 * past the end can still redirect to the last page.
	 */
	public function prepare_items(): void {
		$per_page = min( 200, max( 1, $this->get_items_per_page( Sessions_Screen::PER_PAGE_OPTION, 20 ) ) );
		$args     = array(
			'page'     => $this->get_pagenum(),
			'per_page' => $per_page,
			'orderby'  => $this->view['orderby'] ?? 'last_activity',
			'order'    => $this->view['order'] ?? 'desc',
		);
		foreach ( array( 'role', 'country', 'device_class', 'flag', 'user' ) as $key ) {
			if ( isset( $this->view[ $key ] ) ) {
				$args[ $key ] = $this->view[ $key ];
			}
		}
		if ( isset( $this->view['s'] ) ) {
			$args['search'] = $this->view['s'];
		}

		$result      = Session_Directory::query( $args );
		$this->items = array_values( (array) ( $result['items'] ?? array() ) );
		$this->set_pagination_args(
			array(
				'total_items' => (int) ( $result['total'] ?? 0 ),
				'per_page'    => $per_page,
			)
		);

		// Profile links check edit_user, which reads each user: one query for all of them instead of one each.
		$ids = array_unique( array_filter( array_map( static fn ( $item ) => (int) ( $item['user']['id'] ?? 0 ), $this->items ) ) );
		if ( $ids ) {
			cache_users( $ids );
		}
	}

	public function no_items(): void {
		$filtered = array_intersect_key( $this->view, array_flip( array( 'role', 'country', 'device_class', 'flag', 'user', 's' ) ) );
		echo esc_html( $filtered ? __( 'No active sessions match these filters.', 'session-warden' ) : __( 'No one is signed in.', 'session-warden' ) );
	}

	/**
	 * A link to this screen with one filter changed (and the page reset), keeping the others.
	 *
	 * @param array $change Filter => value (null removes it).
	 */
	private function filter_url( array $change ): string {
		$view = array_merge( $this->view, $change );
		unset( $view['paged'] );
		return Sessions_Screen::url( array_filter( $view, static fn ( $v ) => null !== $v && '' !== $v ) );
	}

	/**
	 * `<tr>` with the session id and, for the viewer's own session, a marker class.
	 *
	 * @param array $item Session item.
	 */
	public function single_row( $item ): void {
		printf(
			'<tr class="%1$s" data-sw-session="%2$s" data-sw-user="%3$d">',
			! empty( $item['current'] ) ? 'sw-is-current' : '',
			esc_attr( (string) ( $item['id'] ?? '' ) ),
			(int) ( $item['user']['id'] ?? 0 )
		);
		$this->single_row_columns( $item );
		echo '</tr>';
	}

	/**
	 * @param array $item Session item.
	 */
	protected function column_cb( $item ): string {
		if ( ! Sessions_Screen::may_manage( (int) ( $item['user']['id'] ?? 0 ) ) ) {
			return '';
		}
		if ( ! empty( $item['current'] ) ) {
			// Ending the session you are using would sign you out in the middle of a bulk action.
			return '<span class="screen-reader-text">' . esc_html__( 'Your current session', 'session-warden' ) . '</span>';
		}
		++$this->checkbox;
		$id = 'sw-session-cb-' . $this->checkbox;
		return sprintf(
			'<label class="screen-reader-text" for="%1$s">%2$s</label><input type="checkbox" id="%1$s" name="sessions[]" value="%3$s" />',
			esc_attr( $id ),
			/* translators: 1: user name, 2: device. */
			esc_html( sprintf( __( 'Select the session of %1$s on %2$s', 'session-warden' ), (string) ( $item['user']['display_name'] ?? '' ), Session_View::device_label( $item ) ) ),
			esc_attr( (string) ( $item['id'] ?? '' ) )
		);
	}

	/**
	 * Avatar, name (linked to the profile), login, "This is you", and the row actions.
	 *
	 * @param array $item Session item.
	 */
	protected function column_user( $item ): string {
		$user    = (array) ( $item['user'] ?? array() );
		$uid     = (int) ( $user['id'] ?? 0 );
		$name    = (string) ( $user['display_name'] ?? '' );
		$login   = (string) ( $user['login'] ?? '' );
		$current = ! empty( $item['current'] );
		$edit    = $uid ? get_edit_user_link( $uid ) : '';
		$title   = $edit ? sprintf( '<a href="%s">%s</a>', esc_url( $edit ), esc_html( $name ) ) : esc_html( $name );
		$avatar  = '' !== (string) ( $user['avatar'] ?? '' )
			? sprintf( '<img alt="" src="%s" class="avatar avatar-32 photo" width="32" height="32" loading="lazy" decoding="async" />', esc_url( (string) $user['avatar'] ) )
			: '';

		$out = $avatar . '<strong class="sw-user-name">' . $title . '</strong>';
		if ( $current ) {
			$out .= ' <span class="sw-badge sw-badge--you">' . esc_html__( 'This is you', 'session-warden' ) . '</span>';
		}
		$out .= '<br /><span class="sw-user-login">' . esc_html( $login ) . '</span>';

		$device  = Session_View::device_label( $item );
		$actions = array();
		$manage  = $uid && Sessions_Screen::may_manage( $uid );
		if ( $current ) {
			$actions['logout'] = sprintf( '<a href="%s">%s</a>', esc_url( wp_logout_url() ), esc_html__( 'Log out', 'session-warden' ) );
		} elseif ( $manage ) {
			$actions['end'] = sprintf(
				'<button type="submit" class="button-link button-link-delete sw-end-session" name="sw_end_one" value="%1$s" aria-label="%2$s">%3$s</button>',
				esc_attr( (string) ( $item['id'] ?? '' ) ),
				/* translators: 1: user name, 2: device. */
				esc_attr( sprintf( __( 'End the session of %1$s on %2$s', 'session-warden' ), $name, $device ) ),
				esc_html__( 'End session', 'session-warden' )
			);
		}
		if ( $manage ) {
			$own                 = get_current_user_id() === $uid;
			$actions['end_user'] = sprintf(
				'<button type="submit" class="button-link button-link-delete sw-end-user" name="sw_end_user" value="%1$d" data-sw-confirm="%2$s">%3$s</button>',
				$uid,
				esc_attr(
					$own
						? __( 'End all your other sessions? This one stays signed in.', 'session-warden' )
						/* translators: %s: user name. */
						: sprintf( __( 'End every session of %s? They will be signed out on all devices.', 'session-warden' ), $name )
				),
				esc_html( $own ? __( 'End your other sessions', 'session-warden' ) : __( 'End all for this user', 'session-warden' ) )
			);
		}
		if ( $uid ) {
			if ( ( $this->view['user'] ?? 0 ) !== $uid ) {
				$actions['only'] = sprintf(
					'<a href="%1$s" aria-label="%2$s">%3$s</a>',
					esc_url( $this->filter_url( array( 'user' => $uid ) ) ),
					/* translators: %s: user name. */
					esc_attr( sprintf( __( 'Show only the sessions of %s', 'session-warden' ), $name ) ),
					esc_html__( 'Only this user', 'session-warden' )
				);
			}
		}
		return $out . $this->row_actions( $actions );
	}

	/**
	 * @param array $item Session item.
	 */
	protected function column_roles( $item ): string {
		$out = array();
		foreach ( (array) ( $item['roles'] ?? array() ) as $role ) {
			$role = (string) $role;
			if ( isset( $this->role_names[ $role ] ) ) {
				$out[] = sprintf( '<a href="%s">%s</a>', esc_url( $this->filter_url( array( 'role' => $role ) ) ), esc_html( $this->role_names[ $role ] ) );
			} else {
				$out[] = esc_html( $role );
			}
		}
		return $out ? implode( ', ', $out ) : '<span aria-hidden="true">&#8212;</span><span class="screen-reader-text">' . esc_html__( 'No role on this site', 'session-warden' ) . '</span>';
	}

	/**
	 * @param array $item Session item.
	 */
	protected function column_device( $item ): string {
		$class  = (string) ( $item['device']['device_class'] ?? 'other' );
		$class  = in_array( $class, Session_View::DEVICE_CLASSES, true ) ? $class : 'other';
		$detail = sprintf( '<a href="%s">%s</a>', esc_url( $this->filter_url( array( 'device_class' => $class ) ) ), esc_html( Session_View::device_class_label( $class ) ) );
		$client = (string) ( $item['device']['client_type'] ?? '' );
		if ( '' !== $client && 'browser' !== $client ) {
			$detail .= ' · ' . esc_html( $client );
		}
		return Session_View::device_html( $item ) . '<br /><span class="sw-device-class">' . $detail . '</span>';
	}

	/**
	 * @param array $item Session item.
	 */
	protected function column_ip( $item ): string {
		$ip = (string) ( $item['ip'] ?? '' );
		if ( '' === $ip ) {
			return '<span aria-hidden="true">&#8212;</span>';
		}
		return sprintf(
			'<a href="%1$s" title="%2$s"><code>%3$s</code></a>',
			esc_url( $this->filter_url( array( 's' => $ip ) ) ),
			esc_attr__( 'Every session from this address', 'session-warden' ),
			esc_html( $ip )
		);
	}

	/**
	 * @param array $item Session item.
	 */
	protected function column_country( $item ): string {
		$code = Session_View::country_code( $item['country'] ?? '' );
		$html = Session_View::country_html( $code );
		return '' === $code ? $html : sprintf( '<a href="%s">%s</a>', esc_url( $this->filter_url( array( 'country' => $code ) ) ), $html );
	}

	/**
	 * @param array $item Session item.
	 */
	protected function column_login( $item ): string {
		$login = (int) ( $item['login'] ?? 0 );
		return Session_View::ago_html( $login ) . ( $login ? '<br /><span class="sw-date">' . esc_html( Session_View::date_time( $login ) ) . '</span>' : '' );
	}

	/**
	 * @param array $item Session item.
	 */
	protected function column_last_activity( $item ): string {
		if ( ! empty( $item['current'] ) ) {
			return '<span class="sw-now">' . esc_html__( 'Now', 'session-warden' ) . '</span>';
		}
		$idle = max( 0, (int) ( $item['idle'] ?? 0 ) );
		$out  = Session_View::ago_html( (int) ( $item['last_activity'] ?? 0 ) );
		if ( $idle >= MINUTE_IN_SECONDS ) {
			/* translators: %s: a span of time such as "5 mins". */
			$out .= '<br /><span class="sw-idle">' . esc_html( sprintf( __( 'idle %s', 'session-warden' ), human_time_diff( time() - $idle, time() ) ) ) . '</span>';
		}
		return $out;
	}

	/**
	 * @param array $item Session item.
	 */
	protected function column_flags( $item ): string {
		$flags = Session_View::flags( $item );
		if ( ! $flags ) {
			return '<span aria-hidden="true">&#8212;</span><span class="screen-reader-text">' . esc_html__( 'No flags', 'session-warden' ) . '</span>';
		}
		$out = array();
		foreach ( $flags as $flag ) {
			$badge = sprintf(
				'<span class="sw-badge sw-badge--flag sw-badge--%1$s" title="%2$s" data-sw-flag="%1$s">%3$s</span>',
				esc_attr( $flag ),
				esc_attr( Session_View::flag_help( $flag ) ),
				esc_html( Session_View::flag_label( $flag ) )
			);
			$out[] = in_array( $flag, Session_View::FLAGS, true )
				? sprintf( '<a href="%s" class="sw-flag-link">%s</a>', esc_url( $this->filter_url( array( 'flag' => $flag ) ) ), $badge )
				: $badge;
		}
		return implode( ' ', $out );
	}

	/**
	 * The bulk action control. The core one's Apply button has no name, so a form submitted by pressing
	 * Enter in the search box would run a bulk action left selected; this one names its buttons.
	 *
	 * @param string $which top | bottom.
	 */
	protected function bulk_actions( $which = '' ): void {
		$field = 'top' === $which ? 'action' : 'action2';
		printf( '<label for="bulk-action-selector-%1$s" class="screen-reader-text">%2$s</label>', esc_attr( $which ), esc_html__( 'Select bulk action', 'session-warden' ) );
		printf( '<select name="%1$s" id="bulk-action-selector-%2$s">', esc_attr( $field ), esc_attr( $which ) );
		printf( '<option value="-1">%s</option>', esc_html__( 'Bulk actions', 'session-warden' ) );
		printf( '<option value="end">%s</option>', esc_html__( 'End selected sessions', 'session-warden' ) );
		echo '</select> ';
		printf(
			'<button type="submit" class="button action" id="%1$s" name="sw_bulk" value="%2$s">%3$s</button>',
			esc_attr( 'top' === $which ? 'doaction' : 'doaction2' ),
			esc_attr( $which ),
			esc_html__( 'Apply', 'session-warden' )
		);
	}

	/**
	 * Filters: role, country, device class, flag.
	 *
	 * @param string $which top | bottom.
	 */
	protected function extra_tablenav( $which ): void {
		if ( 'top' !== $which ) {
			return;
		}
		$view = $this->view;
		echo '<div class="alignleft actions sw-filters">';

		echo '<label for="sw-filter-role" class="screen-reader-text">' . esc_html__( 'Filter by role', 'session-warden' ) . '</label>';
		echo '<select name="role" id="sw-filter-role"><option value="">' . esc_html__( 'All roles', 'session-warden' ) . '</option>';
		foreach ( $this->role_names as $slug => $name ) {
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $slug ), selected( $view['role'] ?? '', $slug, false ), esc_html( $name ) );
		}
		echo '</select>';

		echo '<label for="sw-filter-device" class="screen-reader-text">' . esc_html__( 'Filter by device type', 'session-warden' ) . '</label>';
		echo '<select name="device_class" id="sw-filter-device"><option value="">' . esc_html__( 'All devices', 'session-warden' ) . '</option>';
		foreach ( Session_View::DEVICE_CLASSES as $class ) {
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $class ), selected( $view['device_class'] ?? '', $class, false ), esc_html( Session_View::device_class_label( $class ) ) );
		}
		echo '</select>';

		echo '<label for="sw-filter-flag" class="screen-reader-text">' . esc_html__( 'Filter by flag', 'session-warden' ) . '</label>';
		echo '<select name="flag" id="sw-filter-flag"><option value="">' . esc_html__( 'Flagged or not', 'session-warden' ) . '</option>';
		foreach ( Session_View::FLAGS as $flag ) {
			/* translators: %s: flag name, e.g. "IP address changed". */
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $flag ), selected( $view['flag'] ?? '', $flag, false ), esc_html( sprintf( __( 'Flagged: %s', 'session-warden' ), Session_View::flag_label( $flag ) ) ) );
		}
		echo '</select>';

		echo '<label for="sw-filter-country" class="screen-reader-text">' . esc_html__( 'Filter by country (two-letter code)', 'session-warden' ) . '</label>';
		printf(
			'<input type="text" name="country" id="sw-filter-country" class="sw-filter-country" value="%1$s" placeholder="%2$s" size="9" maxlength="2" autocomplete="off" />',
			esc_attr( $view['country'] ?? '' ),
			esc_attr__( 'Country', 'session-warden' )
		);

		submit_button( __( 'Filter', 'session-warden' ), '', 'filter_action', false, array( 'id' => 'sw-filter-submit' ) );
		$active = array_intersect_key( $view, array_flip( array( 'role', 'country', 'device_class', 'flag', 'user', 's' ) ) );
		if ( $active ) {
			printf( ' <a class="button-link sw-clear-filters" href="%s">%s</a>', esc_url( Sessions_Screen::url( array() ) ), esc_html__( 'Clear filters', 'session-warden' ) );
		}
		echo '</div>';
	}
}
