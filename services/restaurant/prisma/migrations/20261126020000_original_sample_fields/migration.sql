-- The original sample's fields, beside ours: a restaurant's phone and description, a menu's image.
ALTER TABLE "restaurants" ADD COLUMN "phone" VARCHAR(30);
ALTER TABLE "restaurants" ADD COLUMN "description" VARCHAR(500) NOT NULL DEFAULT '';
ALTER TABLE "menus" ADD COLUMN "image_url" VARCHAR(500);
