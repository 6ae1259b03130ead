CREATE TABLE `federated_identities` (
	`user_id` text PRIMARY KEY NOT NULL,
	`provider_slug` text NOT NULL,
	`issuer` text NOT NULL,
	`subject` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `federated_identities_issuer_subject` ON `federated_identities` (`issuer`,`subject`);--> statement-breakpoint
CREATE TABLE `password_tokens` (
	`hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`purpose` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `password_tokens_user` ON `password_tokens` (`user_id`);--> statement-breakpoint
CREATE INDEX `password_tokens_expires` ON `password_tokens` (`expires_at`);--> statement-breakpoint
CREATE TABLE `providers` (
	`slug` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`issuer` text NOT NULL,
	`tenant` text,
	`client_id` text NOT NULL,
	`client_secret_sealed` text NOT NULL,
	`token_auth` text DEFAULT 'client_secret_basic' NOT NULL,
	`trusted_tenants` text DEFAULT '[]' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
