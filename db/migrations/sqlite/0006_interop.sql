CREATE TABLE `logout_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`client_id` text NOT NULL,
	`uri` text NOT NULL,
	`claims` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`delivered_at` integer,
	`failed_at` integer,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `logout_deliveries_due` ON `logout_deliveries` (`delivered_at`,`failed_at`,`next_attempt_at`);--> statement-breakpoint
ALTER TABLE `clients` ADD `id_token_alg` text DEFAULT 'RS256' NOT NULL;--> statement-breakpoint
ALTER TABLE `clients` ADD `id_token_claims` text DEFAULT 'full' NOT NULL;--> statement-breakpoint
ALTER TABLE `clients` ADD `backchannel_logout_uri` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `backchannel_logout_session_required` integer DEFAULT true NOT NULL;--> statement-breakpoint
UPDATE `clients` SET `id_token_alg` = `signing_alg`;