ALTER TABLE `clients` ADD `roles` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `clients` ADD `managed_by` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `updated_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `clients_created` ON `clients` (`created_at`,`id`);--> statement-breakpoint
ALTER TABLE `events` ADD `actor` text;--> statement-breakpoint
ALTER TABLE `events` ADD `user_agent` text;--> statement-breakpoint
CREATE INDEX `events_user_id` ON `events` (`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `events_client_id` ON `events` (`client_id`,`id`);--> statement-breakpoint
CREATE INDEX `events_type_id` ON `events` (`type`,`id`);--> statement-breakpoint
ALTER TABLE `providers` ADD `managed_by` text;--> statement-breakpoint
ALTER TABLE `scopes` ADD `managed_by` text;--> statement-breakpoint
ALTER TABLE `users` ADD `username` text;--> statement-breakpoint
ALTER TABLE `users` ADD `groups` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `disabled_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `managed_by` text;--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);--> statement-breakpoint
CREATE INDEX `users_created` ON `users` (`created_at`,`id`);--> statement-breakpoint
UPDATE `clients` SET `updated_at` = `created_at`;