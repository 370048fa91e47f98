/**
 * Dev seed: five restaurants, twenty menus, 100 of each in stock. Menu 1 (김치찌개) exists, as
 * the original sample's README orders it. Written through the service's own writers
 * (the catalogue's, and the inventory's one statement that adds a menu). Idempotent: a catalogue that has restaurants is left as it is.
 */
import { runSeed } from '@food/postgres'
import { CatalogRepository } from '../src/db/catalog-repository.ts'
import { insertMenu } from '../src/db/inventory/menus.ts'

const STOCK = 100

const CATALOG = [
  {
    name: '할머니 김치찌개',
    phone: '02-737-1001',
    description: 'Stews and home cooking as a grandmother makes them',
    category: 'korean',
    address: '서울 종로구 종로 1',
    menus: [
      ['김치찌개', 'Kimchi stew with pork and tofu', 9000],
      ['된장찌개', 'Soybean paste stew with vegetables', 8500],
      ['제육볶음', 'Spicy stir-fried pork', 10000],
      ['계란말이', 'Rolled omelette', 7000],
    ],
  },
  {
    name: '명동 분식',
    phone: '02-776-2002',
    description: 'Street snacks from Myeongdong',
    category: 'snack',
    address: '서울 중구 명동길 14',
    menus: [
      ['떡볶이', 'Spicy rice cakes', 5000],
      ['김밥', 'Seaweed rice roll', 4000],
      ['순대', 'Korean blood sausage', 6000],
      ['튀김 모둠', 'Assorted fritters', 6500],
    ],
  },
  {
    name: '한강 치킨',
    phone: '02-780-3003',
    description: 'Fried chicken by the Han river',
    category: 'chicken',
    address: '서울 영등포구 여의동로 330',
    menus: [
      ['후라이드 치킨', 'Crispy fried chicken', 18000],
      ['양념 치킨', 'Sweet and spicy glazed chicken', 19000],
      ['간장 치킨', 'Soy garlic chicken', 19000],
      ['치킨무', 'Pickled radish', 1000],
    ],
  },
  {
    name: '전주 비빔밥',
    phone: '063-232-4004',
    description: 'Bibimbap the Jeonju way',
    category: 'korean',
    address: '전북 전주시 완산구 태조로 44',
    menus: [
      ['전주 비빔밥', 'Mixed rice with vegetables and gochujang', 11000],
      ['돌솥 비빔밥', 'Stone-pot mixed rice', 12000],
      ['육회 비빔밥', 'Mixed rice with beef tartare', 14000],
      ['콩나물국밥', 'Bean sprout rice soup', 8000],
    ],
  },
  {
    name: '부산 밀면',
    phone: '051-625-5005',
    description: 'Busan cold noodles and pork soup',
    category: 'noodles',
    address: '부산 남구 유엔평화로 40',
    menus: [
      ['물밀면', 'Cold wheat noodles in broth', 9000],
      ['비빔밀면', 'Spicy cold wheat noodles', 9000],
      ['만두', 'Dumplings', 6000],
      ['돼지국밥', 'Pork and rice soup', 10000],
    ],
  },
] as const

await runSeed(async (pool) => {
  const catalog = new CatalogRepository(pool)
  if ((await catalog.listRestaurants()).length > 0) {
    console.log('catalogue already seeded')
    return
  }
  for (const { menus, ...restaurant } of CATALOG) {
    const restaurantId = await catalog.addRestaurant(restaurant)
    for (const [name, description, price] of menus) {
      await insertMenu(pool, { restaurantId, name, description, price, stock: STOCK, imageUrl: null })
    }
  }
  console.log(`seeded ${CATALOG.length} restaurants, ${CATALOG.length * 4} menus with ${STOCK} each in stock`)
})
