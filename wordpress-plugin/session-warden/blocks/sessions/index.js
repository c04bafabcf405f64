/**
 * Editor side of the dynamic block session-warden/sessions. Plain JavaScript on the wp.* globals (no
 * build step); title, attributes and the rest come from block.json, which the server registers. The
 * preview is the real server rendering for the signed-in editor, made inert so its buttons do nothing.
 */
( function ( wp ) {
	'use strict';
	var el = wp.element.createElement;
	var __ = wp.i18n.__;
	var blockEditor = wp.blockEditor;
	var components = wp.components;
	var ServerSideRender = wp.serverSideRender;

	var STYLES = [
		{ value: 'default', label: __( 'Default: device, address, country, activity and sign-in time', 'session-warden' ) },
		{ value: 'minimal', label: __( 'Minimal: device and last activity', 'session-warden' ) },
		{ value: 'compact', label: __( 'Compact: one dense line per session', 'session-warden' ) },
	];

	wp.blocks.registerBlockType( 'session-warden/sessions', {
		edit: function ( props ) {
			var style = props.attributes.style || 'default';
			return el(
				wp.element.Fragment,
				null,
				el(
					blockEditor.InspectorControls,
					null,
					el(
						components.PanelBody,
						{ title: __( 'Layout', 'session-warden' ) },
						el( components.SelectControl, {
							label: __( 'Style', 'session-warden' ),
							value: style,
							options: STYLES,
							onChange: function ( value ) {
								props.setAttributes( { style: value } );
							},
						} )
					)
				),
				el(
					'div',
					blockEditor.useBlockProps(),
					el(
						components.Disabled,
						null,
						el( ServerSideRender, { block: 'session-warden/sessions', attributes: { style: style } } )
					)
				)
			);
		},
		// Dynamic block: rendered by PHP on every request.
		save: function () {
			return null;
		},
	} );
} )( window.wp );
